// Package storehandler serves a store.Store over the worker protocol: it is
// the messages.WorkerHandler behind `nixwire serve`, and what a Go program
// puts in front of a store of its own to make it a Nix daemon.
//
//	h := storehandler.New(st)
//	srv := &server.Server{Handler: messages.NewWorkerDispatcher(h)}
//	srv.Serve(l)
//
// The handler does what the store leaves to its caller (see package store):
//
//   - AddToStore (both layouts) and AddTextToStore: the dump is spooled to a
//     temporary file while it is hashed, the store path and content address
//     are computed exactly as Nix does (text, flat and recursive, every hash
//     algorithm Nix allows), and the NAR is then streamed to Store.AddPath.
//     Memory does not depend on the upload's size.
//   - AddToStoreNar and AddMultipleToStore: with RequireSigs, a path needs a
//     signature by one of TrustedKeys unless it is content-addressed (its
//     content address and references give its path); a path with a content
//     address must have a NAR that matches it, checked as the NAR streams
//     past, before anything is registered. Only trusted clients may skip
//     signature checks (dontCheckSigs) or claim ultimate trust.
//   - AddTempRoot: roots belong to the connection and are dropped when it
//     ends (server.Session.OnClose).
//
// Nix's C++ clients treat a unix:// store as a local file system store and
// read the files of its paths from disk (nix store ls, nix copy --from,
// nix-store --verify-path) instead of asking for NarFromPath. With
// RealStoreDir set, every path added is also unpacked there (restored under
// a temporary name, then renamed), and such clients are pointed at it with
// "unix://SOCKET?root=…".
//
// The store cannot build or substitute: BuildPaths of paths that are already
// valid succeeds (there is nothing to do), anything else that would need a
// build gets ErrCannotBuild; QueryMissing reports what is not valid as
// unknown; QuerySubstitutablePaths finds none.
package storehandler
