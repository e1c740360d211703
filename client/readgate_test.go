package client

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestReadGate: once stop has said that no Read is under way, none
// starts; when one was, at most that one completes. Whatever the
// interleaving with a goroutine reading in a loop.
func TestReadGate(t *testing.T) {
	for range 5000 {
		var g readGate
		var entered atomic.Int32
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if !g.enter() {
					return
				}
				entered.Add(1)
				g.leave()
			}
		}()
		reading := g.stop()
		before := entered.Load()
		wg.Wait()
		after := entered.Load()
		if allowed := map[bool]int32{false: 0, true: 1}[reading]; after-before > allowed {
			t.Fatalf("stop said reading=%v, and %d Reads started after it", reading, after-before)
		}
		if g.enter() {
			t.Fatal("enter after stop")
		}
	}
}
