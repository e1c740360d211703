package storehandler

import (
	"bytes"
	"fmt"
	"hash"
	"io"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/storepath"
)

// checkSigs is Nix's pathInfoIsUntrusted under require-sigs: a path is
// accepted when it is content-addressed (its content address and
// references give its path; the NAR is checked against the address as it
// streams) or carries a valid signature by a trusted key.
func (h *Handler) checkSigs(info *messages.ValidPathInfo) error {
	p, err := h.parsePath(info.Path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	refs, err := h.parsePaths(info.References)
	if err != nil {
		return fmt.Errorf("%w: reference: %w", ErrBadRequest, err)
	}
	if info.CA != "" && h.isContentAddressed(p, info.CA, refs) {
		return nil
	}
	nh, err := nixhash.ParseAny(string(info.NarHash), nixhash.SHA256)
	if err != nil {
		return fmt.Errorf("%w: NAR hash: %w", ErrBadRequest, err)
	}
	fp, err := signature.Fingerprint(h.dir(), p, nh, info.NarSize, refs)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	sigs := make([]string, len(info.Sigs))
	for i, s := range info.Sigs {
		sigs[i] = string(s)
	}
	if signature.Count(h.TrustedKeys, fp, sigs) < 1 {
		return ErrUnsigned
	}
	return nil
}

// isContentAddressed reports whether ca and refs give the path p, as Nix's
// ValidPathInfo::isContentAddressed checks it. A path that refers to itself
// does not count: its content address is a hash modulo its own hash part,
// which this handler does not verify, so it must be signed instead.
func (h *Handler) isContentAddressed(p storepath.Path, caText messages.ContentAddress, refs []storepath.Path) bool {
	ca, err := contentaddress.Parse(string(caText))
	if err != nil {
		return false
	}
	for _, r := range refs {
		if r == p {
			return false
		}
	}
	q, err := h.dir().FromCA(p.Name(), ca, refs, false)
	return err == nil && q == p
}

// caCheck passes an upload's NAR through while hashing it as its content
// address says (the whole NAR for "fixed:r:", the file's bytes for flat and
// text), and fails the read that would deliver the NAR's last declared byte
// if the hash differs, so that the store never sees a complete NAR with a
// wrong content address and registers nothing.
type caCheck struct {
	src  io.Reader
	left uint64 // bytes of the declared NarSize not yet delivered
	want contentaddress.ContentAddress
	path messages.StorePath

	sum  hash.Hash      // for "fixed:r:"
	pw   *io.PipeWriter // to the walker of a flat or text NAR
	done chan walkResult
	err  error // sticky
}

type walkResult struct {
	digest []byte
	err    error
}

// caVerifier returns the checking reader for an upload with info.CA set.
// A path that refers to itself is passed through unchecked (see
// isContentAddressed).
func (h *Handler) caVerifier(info *messages.ValidPathInfo, src io.Reader) (*caCheck, error) {
	ca, err := contentaddress.Parse(string(info.CA))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	c := &caCheck{src: src, left: info.NarSize, want: ca, path: info.Path}
	for _, r := range info.References {
		if r == info.Path {
			return c, nil // unchecked: sum and pw stay nil
		}
	}
	algo := ca.Hash.Algorithm()
	switch ca.Method {
	case contentaddress.NAR:
		c.sum = algo.New()
	case contentaddress.Flat, contentaddress.Text:
		pr, pw := io.Pipe()
		c.pw, c.done = pw, make(chan walkResult, 1)
		go func() {
			hs := algo.New()
			_, err := regularContents(hs, pr)
			// Keep taking bytes so that the writer never blocks on a walker
			// that gave up.
			io.Copy(io.Discard, pr)
			c.done <- walkResult{hs.Sum(nil), err}
		}()
	default:
		return nil, fmt.Errorf("%w: cannot verify content-address method %s", ErrBadRequest, ca.Method)
	}
	return c, nil
}

// Read implements io.Reader.
func (c *caCheck) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left == 0 {
		return 0, io.EOF // more than the declared size: the store sees a short NAR
	}
	if uint64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.src.Read(p)
	if n > 0 {
		if c.sum != nil {
			c.sum.Write(p[:n])
		}
		if c.pw != nil {
			c.pw.Write(p[:n])
		}
		c.left -= uint64(n)
		if c.left == 0 {
			if verr := c.verify(); verr != nil {
				c.err = verr
				return 0, verr
			}
		}
	}
	return n, err
}

// verify compares the hash of the complete NAR with the content address.
func (c *caCheck) verify() error {
	var got []byte
	switch {
	case c.sum != nil:
		got = c.sum.Sum(nil)
	case c.pw != nil:
		c.pw.Close()
		r := <-c.done
		c.pw = nil
		if r.err != nil {
			return fmt.Errorf("%w: %w", ErrCAMismatch, r.err)
		}
		got = r.digest
	default:
		return nil
	}
	if !bytes.Equal(got, c.want.Hash.Digest()) {
		h, _ := nixhash.New(c.want.Hash.Algorithm(), got)
		return fmt.Errorf("%w: specified %s, got %s", ErrCAMismatch, c.want.Hash.Text(nixhash.Nix32, true), h.Text(nixhash.Nix32, true))
	}
	return nil
}

// close stops the walker of an upload that did not reach its end.
func (c *caCheck) close() {
	if c.pw != nil {
		c.pw.CloseWithError(io.ErrUnexpectedEOF)
		<-c.done
		c.pw = nil
	}
}
