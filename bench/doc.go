// Package bench compares nixwire's wire package with the wire package of
// go-nix (github.com/nix-community/go-nix/pkg/wire) on identical inputs.
// It is a module of its own so that nixwire itself does not depend on
// go-nix. It holds benchmarks only: see README.md.
package bench
