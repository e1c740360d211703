//go:build race

package messages

// raceEnabled: the race detector disables the compiler's optimisation of
// append(b, make([]byte, n)...), so wire.Reader's payload growth allocates
// twice (see allocConstStream).
const raceEnabled = true
