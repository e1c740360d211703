package store

import (
	"crypto/sha256"

	"github.com/nixwire/nixwire/messages"
)

// CheckInfo checks what a backend must check of an upload's metadata
// before it reads the NAR: the path, its deriver and references are store
// paths of storeDir, and the NAR hash is readable. It returns the decoded
// hash. Errors are *PathError values naming info.Path, with the op
// "AddPath", matching ErrBadPath or ErrBadHash.
func CheckInfo(storeDir string, info *messages.ValidPathInfo) ([sha256.Size]byte, error) {
	fail := func(err error) ([sha256.Size]byte, error) {
		return [sha256.Size]byte{}, &PathError{Op: "AddPath", Path: short(string(info.Path)), Err: err}
	}
	if _, _, why := splitPath(storeDir, string(info.Path)); why != "" {
		return fail(Reason(ErrBadPath, why))
	}
	if info.Deriver != "" {
		if _, _, why := splitPath(storeDir, string(info.Deriver)); why != "" {
			return fail(Reason(ErrBadPath, "deriver "+short(string(info.Deriver))+": "+why))
		}
	}
	for _, r := range info.References {
		if _, _, why := splitPath(storeDir, string(r)); why != "" {
			return fail(Reason(ErrBadPath, "reference "+short(string(r))+": "+why))
		}
	}
	sum, err := ParseNarHash(info.NarHash)
	if err != nil {
		return fail(err)
	}
	return sum, nil
}
