package messages

// The hand-derived vectors of testdata/vectors: bytes spelled out from the
// protocol facts (Nix's serialisers in src/libstore/*-protocol.cc and daemon.cc)
// with hb, independently of the generated code, for what the real daemons
// cannot be made to send or accept. TestRecordVectors writes them with the
// recordings; TestVectorsHandDerived checks that the committed files are
// still these bytes.

// Store paths of the hand-derived vectors.
const (
	hP1  = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo"
	hP2  = "/nix/store/g1w7hyyyy1w7hy3qg1w7hy3qgqqqqy3q-bar"
	hDrv = "/nix/store/n5wkd9frr45pa74if5gpz9j7mifg27fh-foo.drv"
	// hFixedHash is the base16 sha256 of the NAR of an empty regular file.
	hFixedHash = "77ac62e2629d8e45f624589c0c8bf99e24b3a722349bf1e79bc186008534e246"
)

// STDERR frame codes (worker-protocol.hh).
const (
	hStderrLast  = 0x616c7473
	hStderrError = 0x63787470
)

func handDerivedVectors() map[string][]byte {
	nar := narRegular("hello framed world\n")
	return map[string][]byte{
		// A builder-rpc-v0 client of Nix master offering every feature
		// (a set: sorted).
		"feature-exchange-1.38.c2s.bin": new(hb).list(
			"add-to-store-scanning", "delete-dead-specific-referrers", "disable-set-options",
			"realisation-with-path-not-hash", "submit-output",
		).bytes(),

		// CollectGarbage with delete-dead-specific-referrers: GCPaths is a
		// tag (0 specific paths + deleteReferrers, 1 whole store) in place of
		// the path set; then ignoreLiveness, maxFreed and 3 obsolete zeros.
		"collect-garbage-1.38+delete-dead-specific-referrers.c2s.bin": new(hb).
			u(20, 3 /* DeleteSpecific */, 0 /* specific */).list(hP1, hP2).u(1 /* deleteReferrers */, 0, 0, 0, 0, 0).
			u(20, 1 /* ReturnDead */, 1 /* whole store */).u(0, 1<<20, 0, 0, 0).
			bytes(),

		// A structured error (≥1.26) with two traces: "Error", level,
		// "Error", message, havePos 0, nrTraces, each havePos 0 + hint.
		"stderr-error-traces-1.26.s2c.bin": new(hb).
			u(hStderrError).s("Error").u(0).s("Error", "attribute 'foo' missing").u(0, 2).
			u(0).s("while evaluating the attribute 'bar'").
			u(0).s("while calling the 'derivation' builtin").
			bytes(),

		// QuerySubstitutablePathInfos before 1.22: a plain path set.
		"query-substitutable-path-infos-1.21.c2s.bin": new(hb).u(30).list(hP1, hP2).bytes(),

		// Its reply with two infos (map<path, (deriver, references,
		// downloadSize, narSize)>, sorted by path), after STDERR_LAST.
		"substitutable-path-infos-1.34.s2c.bin": new(hb).u(hStderrLast).
			u(2).s(hP1, "").u(0).u(1000, 4000).
			s(hP2, hDrv).list(hP1).u(2345, 6789).
			bytes(),

		// BuildDerivation of a fixed-output derivation (output path, "r:"
		// method + algorithm, base16 hash) and of a floating
		// content-addressed one (no path, no hash); BuildMode Normal/Check.
		"build-derivation-ca-1.34.c2s.bin": new(hb).
			u(36).s(hDrv).
			u(1).s("out", hP1, "r:sha256", hFixedHash).
			list(hP2).s("x86_64-linux", "builtin:fetchurl").list().
			u(2).s("out", hP1, "url", "https://example.org/foo").
			u(0).
			u(36).s(hDrv).
			u(2).s("dev", "", "r:sha256", "", "out", "", "r:sha256", "").
			list().s("aarch64-linux", "/bin/sh").list("-c", "echo > $out; echo > $dev").
			u(0).
			u(2).
			bytes(),

		// AddToStore (≥1.25) with a NAR dump in a framed stream cut in two
		// chunks: u64 length + unpadded bytes each, then a zero length.
		"add-to-store-framed-1.25.c2s.bin": new(hb).
			u(7).s("nixwire-nar", "fixed:r:sha256").list().u(0).
			u(24).raw(nar[:24]).u(uint64(len(nar) - 24)).raw(nar[24:]).u(0).
			bytes(),

		// ClientPostHandshake with a CPU affinity (≥1.14: flag 1 then the
		// CPU) and reserveSpace (≥1.11).
		"client-post-handshake-affinity-1.14.c2s.bin": new(hb).u(1, 3, 0).bytes(),
	}
}
