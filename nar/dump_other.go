//go:build !unix

package nar

// oNoFollow is not available here.
const oNoFollow = 0
