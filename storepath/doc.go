// Package storepath is Nix's store paths: a typed value holding a path's
// 20-byte digest and its name, parsed and validated exactly as Nix does
// ("/nix/store/<32 nix32 characters>-<name>", names of at most 211
// characters from [A-Za-z0-9+-._?=], not ".", "..", nor starting with ".-"
// or "..-"), and computed as Nix computes them: text paths with their
// references (builtins.toFile, derivations), fixed-output paths flat and
// recursive for every hash algorithm, and the "source" paths of
// `nix-store --add`.
//
// Parsing does not allocate: a Path's name shares the memory of the string
// it was parsed from. A store directory other than /nix/store is a Dir.
package storepath
