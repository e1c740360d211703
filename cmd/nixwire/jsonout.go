package main

import (
	"strconv"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
)

// appendJSONString appends s as a JSON string, escaped exactly as Nix 2.8
// escapes (src/libutil/json.cc): `"` and `\` with a backslash, \n \r \t,
// other control characters as \u00XX, everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendJSONKey appends `,"key":` (without the comma for the first key).
func appendJSONKey(b []byte, first bool, key string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendJSONString(b, key)
	return append(b, ':')
}

// appendPathInfoJSON appends the object Nix 2.8's `nix path-info --json`
// prints for one path (Store::pathInfoToJSON with impure info, SRI
// hashes): path, narHash, narSize, references, then ca if any,
// closureSize if asked for, deriver if any, registrationTime if not 0,
// ultimate if true and signatures if any; for a path that is not valid
// (info nil) only path and "valid":false.
func appendPathInfoJSON(b []byte, path messages.StorePath, info *messages.ValidPathInfo, closureSize *uint64) []byte {
	b = append(b, '{')
	b = appendJSONKey(b, true, "path")
	b = appendJSONString(b, string(path))
	if info == nil {
		b = appendJSONKey(b, false, "valid")
		return append(b, "false}"...)
	}
	b = appendJSONKey(b, false, "narHash")
	b = appendJSONString(b, sriHash(info.NarHash))
	b = appendJSONKey(b, false, "narSize")
	b = strconv.AppendUint(b, info.NarSize, 10)
	b = appendJSONKey(b, false, "references")
	b = append(b, '[')
	for i, r := range sorted(info.References) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(r))
	}
	b = append(b, ']')
	if info.CA != "" {
		b = appendJSONKey(b, false, "ca")
		b = appendJSONString(b, string(info.CA))
	}
	if closureSize != nil {
		b = appendJSONKey(b, false, "closureSize")
		b = strconv.AppendUint(b, *closureSize, 10)
	}
	if info.Deriver != "" {
		b = appendJSONKey(b, false, "deriver")
		b = appendJSONString(b, string(info.Deriver))
	}
	if info.RegistrationTime != 0 {
		b = appendJSONKey(b, false, "registrationTime")
		b = strconv.AppendInt(b, info.RegistrationTime, 10)
	}
	if info.Ultimate {
		b = appendJSONKey(b, false, "ultimate")
		b = append(b, "true"...)
	}
	if len(info.Sigs) > 0 {
		b = appendJSONKey(b, false, "signatures")
		b = append(b, '[')
		for i, s := range info.Sigs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(s))
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// sriHash returns a NAR hash as SRI, "sha256-<base64>", whatever form the
// daemon sent (base16 in the worker protocol); a value that is no hash is
// returned as it came.
func sriHash(h messages.NarHash) string {
	parsed, err := nixhash.ParseAny(string(h), nixhash.SHA256)
	if err != nil {
		return string(h)
	}
	return parsed.SRI()
}

// narHash returns a NAR hash as `nix-store --query --hash` and narinfo
// files print it, "sha256:<nix32>".
func narHash(h messages.NarHash) string {
	parsed, err := nixhash.ParseAny(string(h), nixhash.SHA256)
	if err != nil {
		return string(h)
	}
	return parsed.String()
}
