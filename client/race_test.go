//go:build race

package client_test

// raceEnabled: under the race detector sync.Pool drops items at random,
// so pooled calls and messages are allocated again now and then.
const raceEnabled = true
