//go:build unix

package nar

import "syscall"

// oNoFollow makes opening a file that was replaced by a symlink fail.
const oNoFollow = syscall.O_NOFOLLOW
