package storehandler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
)

// materialize unpacks a valid path's NAR into RealStoreDir, if set and not
// done yet. Nix's C++ clients on a unix:// store (UDSRemoteStore, a
// LocalFSStore) read NARs and files from the store's real directory on
// disk instead of asking the daemon (nix store ls, nix copy --from,
// nix-store --verify-path, …); with RealStoreDir set and the clients given
// "?root=" or "?real=" pointing at it, they find the files there.
//
// The tree is restored under a temporary name and renamed into place, so a
// reader never sees half a path; a failure leaves the store itself
// untouched (the path stays valid) and is returned for logging.
func (h *Handler) materialize(ctx context.Context, p messages.StorePath) error {
	if h.RealStoreDir == "" {
		return nil
	}
	base := filepath.Base(string(p))
	dst := filepath.Join(h.RealStoreDir, base)
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	rc, _, err := h.Store.OpenNAR(ctx, p)
	if err != nil {
		return err
	}
	defer rc.Close()
	// The temporary name is short whatever the path's: a store path's
	// base name may take 32+1+211 of the 255 bytes a name may have.
	var suffix [8]byte
	rand.Read(suffix[:])
	hashPart, _, _ := strings.Cut(base, "-")
	tmp := filepath.Join(h.RealStoreDir, ".tmp-"+hex.EncodeToString(suffix[:])+"-"+hashPart)
	if _, err := nar.Restore(rc, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Lstat(dst); serr == nil {
			return nil // a concurrent upload of the same path won
		}
		return err
	}
	return nil
}

// CleanRealStoreDir removes what interrupted materialisations left in
// dir (temporary trees), creating dir if needed. `nixwire serve` calls it
// at startup.
func CleanRealStoreDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		if len(e.Name()) > 5 && e.Name()[:5] == ".tmp-" {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
