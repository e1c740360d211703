// Package nar reads and writes Nix archives (NARs) as they stream past:
// Copy and Walk scan one, Writer builds one from calls, DumpPath serialises
// a file system object exactly as `nix-store --dump` does, and Restore
// unpacks one into a directory as `nix-store --restore` does.
//
// A NAR is the canonical serialisation of a file system object in Nix: a
// regular file (with an executable flag), a symbolic link, or a directory of
// named entries. Every token is a bytes packet of the wire format (a u64
// little-endian length, the bytes, zero padding to a multiple of 8):
//
//	nar       = "nix-archive-1" node
//	node      = "(" "type" ( regular | symlink | directory ) ")"
//	regular   = "regular" [ "executable" "" ] "contents" <bytes>
//	symlink   = "symlink" "target" <target>
//	directory = "directory" { "entry" "(" "name" <name> "node" node ")" }
//
// Entries are sorted by name (strictly ascending byte order, so there are no
// duplicates), and a name is never empty, ".", "..", and holds no "/" or NUL.
//
// The Nix daemon sends some NARs unframed and without a length (NarFromPath's
// reply, and the request data of AddToStore before protocol 1.25 and of
// AddToStoreNar before 1.21), so only the NAR grammar tells where a NAR
// ends. Copy and Walk read exactly one NAR and never a byte past its end,
// which leaves the stream they read from in sync.
//
// Writer, DumpPath and Restore use the scanner's rules, so the package has
// one definition of the grammar: the Writer refuses every call that would
// produce a NAR Copy rejects, and Restore creates only what Walk has
// checked.
//
// Scanning needs constant memory: file contents are streamed through a fixed
// buffer, and names, paths, link targets and nesting are bounded
// (MaxNameLen, MaxPathLen, MaxTargetLen, MaxDepth). Errors are *Error values carrying the byte offset
// and the path inside the archive; invalid archives match ErrInvalid, an
// input that ends inside the NAR matches io.ErrUnexpectedEOF.
package nar
