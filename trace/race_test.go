//go:build race

package trace

// raceEnabled: under the race detector sync.Pool drops items at random,
// so pooled chunks are allocated again now and then.
const raceEnabled = true
