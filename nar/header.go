package nar

import "io"

// Type is the type of a node in a NAR.
type Type uint8

// Node types.
const (
	// TypeRegular is a regular file, possibly executable.
	TypeRegular Type = iota + 1
	// TypeSymlink is a symbolic link.
	TypeSymlink
	// TypeDirectory is a directory.
	TypeDirectory
)

// String returns the NAR spelling of t: "regular", "symlink" or "directory".
func (t Type) String() string {
	switch t {
	case TypeRegular:
		return "regular"
	case TypeSymlink:
		return "symlink"
	case TypeDirectory:
		return "directory"
	}
	return "Type(?)"
}

// Header describes one node of a NAR, as Walk reports it.
type Header struct {
	// Path is "" for the root node, else the slash-separated names from
	// the root, e.g. "bin/hello".
	Path string
	// Type is the node's type.
	Type Type
	// Executable reports the executable flag of a regular file.
	Executable bool
	// Size is the length of a regular file's contents.
	Size uint64
	// Offset is the byte offset of a regular file's contents in the NAR
	// (as in Nix's NAR listings, "narOffset").
	Offset int64
	// Target is a symbolic link's target.
	Target string
}

// WalkFunc is called by Walk for every node of a NAR, in archive order (a
// directory before its entries, entries sorted by name). For a regular file
// contents reads its contents; it is valid only until WalkFunc returns, and
// whatever WalkFunc leaves unread is skipped. contents is nil for other
// nodes. An error returned by WalkFunc stops the walk and is returned by
// Walk unchanged.
type WalkFunc func(h *Header, contents io.Reader) error
