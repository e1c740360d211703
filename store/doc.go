// Package store defines the store that `nixwire serve` puts behind the Nix
// daemon protocol: path metadata (a path's NAR hash and size, references,
// deriver, signatures, content address, registration time) and the NAR
// blobs themselves.
//
// [Store] is the interface a backend implements; the embedded backend is
// package sqlitestore (metadata in SQLite, NARs as files beside it), and a
// backend spread over many machines can implement the same interface later.
// Package storetest holds the conformance tests every backend must pass.
//
// The store works on paths and metadata already computed by its caller: it
// never derives a store path from content and never checks a signature.
// The server does both before it calls [Store.AddPath]:
//
//   - AddToStore and AddTextToStore: the server computes the store path
//     and the content address with the storepath package (text, flat and
//     recursive addressing, exactly as Nix), and the NAR hash with nixhash,
//     then calls AddPath with the finished ValidPathInfo.
//   - AddToStoreNar and AddMultipleToStore under --require-sigs: the server
//     checks info.Sigs against the trusted keys with the signature package
//     (unless the path is content-addressed, as Nix does) and refuses the
//     upload before AddPath is called.
//   - NAR hashes are read in every form Nix reads (ParseNarHash, with
//     package nixhash) and stored in base16; store paths are checked with
//     package storepath (SplitPath).
//
// What the store does guarantee: an upload is checked (NAR grammar, hash,
// size, references) before anything is registered, and a path is either
// fully registered with its NAR in place or not visible at all, also after a
// crash.
package store
