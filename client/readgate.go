package client

import "sync/atomic"

// A readGate guards the reads of a caller's reader that an operation
// makes on its own goroutines, so that none starts once the operation
// returns: enter and leave bracket each Read, and stop closes the gate,
// telling in the same atomic step whether a Read is under way (which the
// operation then abandons instead of waiting for it: a reader may block).
type readGate struct{ state atomic.Int32 }

// States of a readGate.
const (
	gateOpen           int32 = iota // no Read under way
	gateReading                     // a Read under way
	gateStopped                     // closed, no Read under way
	gateStoppedReading              // closed during a Read
)

// enter reports whether a Read may start (and then it is under way).
func (g *readGate) enter() bool { return g.state.CompareAndSwap(gateOpen, gateReading) }

// leave ends the Read that enter let start.
func (g *readGate) leave() { g.state.CompareAndSwap(gateReading, gateOpen) }

// stopped reports whether the gate is closed.
func (g *readGate) stopped() bool { return g.state.Load() >= gateStopped }

// stop closes the gate and reports whether a Read was under way; no Read
// starts after it.
func (g *readGate) stop() (reading bool) {
	for {
		switch s := g.state.Load(); s {
		case gateOpen:
			if g.state.CompareAndSwap(gateOpen, gateStopped) {
				return false
			}
		case gateReading:
			if g.state.CompareAndSwap(gateReading, gateStoppedReading) {
				return true
			}
		default:
			return s == gateStoppedReading
		}
	}
}
