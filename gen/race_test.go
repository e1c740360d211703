//go:build race

package gen

// raceEnabled: the race detector slows generation several times over, so
// TestGenerateSpeed only logs its time then.
const raceEnabled = true
