//go:build !unix

package sqlitestore

import "os"

// lockDir does nothing where flock is missing: the caller must not open a
// data directory twice.
func lockDir(*os.File) error { return nil }
