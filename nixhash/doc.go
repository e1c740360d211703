// Package nixhash is Nix's hashes: the algorithms Nix uses (MD5, SHA-1,
// SHA-256, SHA-512), their digests as a comparable value, and every textual
// form Nix reads and writes: base16, nix32 (Nix's own base-32 alphabet and
// byte order), base64, with or without an algorithm prefix ("sha256:…"),
// and SRI ("sha256-<base64>").
//
// Which form Nix prints depends on the context, so Hash has a method per
// form rather than one String that fits nowhere:
//
//   - String, "sha256:<nix32>": content addresses, narinfo NarHash,
//     signature fingerprints, the serve protocol (≥ 2.4);
//   - Base16, bare: the NarHash of the worker protocol's ValidPathInfo;
//   - SRI, "sha256-<base64>": what `nix hash file` and `nix hash path` print
//     and flake lock files hold;
//   - Nix32, bare: what `nix-hash --base32` and `nix-store --query --hash`
//     print (the latter with the prefix).
//
// Parse reads every prefixed form, ParseAny additionally the bare forms when
// the algorithm is known from context, as Nix's Hash::parseAny does. The
// nix32 codec (EncodeNix32, DecodeNix32) works on caller buffers and does
// not allocate. A Writer hashes a stream and counts its bytes, which is what
// a NAR's narHash and narSize are.
package nixhash
