package storehandler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/store"
)

// maxDrvSize bounds the derivation file read to learn its outputs.
const maxDrvSize = 16 << 20

// errNotDrv reports a store path whose contents are not a derivation.
var errNotDrv = errors.New("not a derivation")

// drvOutputs returns the outputs of the valid derivation drv as its file
// lists them: name → path, "" for an output whose path is not known
// before it is built (a floating content-addressed one). ok is false if
// drv is not valid.
func (h *Handler) drvOutputs(ctx context.Context, drv messages.StorePath) (outs map[messages.OutputName]messages.StorePath, ok bool, err error) {
	if !strings.HasSuffix(string(drv), ".drv") {
		return nil, false, nil
	}
	rc, _, err := h.Store.OpenNAR(ctx, drv)
	if errors.Is(err, store.ErrNotValid) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	var text []byte
	_, err = nar.Walk(rc, func(hd *nar.Header, contents io.Reader) error {
		if hd.Path != "" || hd.Type != nar.TypeRegular || hd.Size > maxDrvSize {
			return errNotDrv
		}
		text, err = io.ReadAll(contents)
		return err
	})
	if err == nil {
		outs, err = parseDrvOutputs(text)
	}
	if err != nil {
		return nil, false, pathErr("cannot read the derivation", drv, err)
	}
	return outs, true, nil
}

// parseDrvOutputs reads the outputs of a derivation in Nix's ATerm form,
// Derive([("out","/nix/store/…","",""),…],…): each output's name and
// path (the rest is not needed here).
func parseDrvOutputs(b []byte) (map[messages.OutputName]messages.StorePath, error) {
	p := aterm{b: b}
	p.lit("Derive([")
	outs := map[messages.OutputName]messages.StorePath{}
	for p.err == nil && !p.next(']') {
		if len(outs) > 0 {
			p.lit(",")
		}
		p.lit("(")
		name := p.str()
		p.lit(",")
		path := p.str()
		p.lit(",")
		p.str() // hash algorithm
		p.lit(",")
		p.str() // hash
		p.lit(")")
		outs[messages.OutputName(name)] = messages.StorePath(path)
	}
	p.lit("]")
	if p.err != nil {
		return nil, p.err
	}
	return outs, nil
}

// aterm reads the ATerm text of a derivation; the first error sticks.
type aterm struct {
	b   []byte
	i   int
	err error
}

func (p *aterm) fail(what string) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: expected %s at byte %d", errNotDrv, what, p.i)
	}
}

// next reports whether c comes next.
func (p *aterm) next(c byte) bool { return p.i < len(p.b) && p.b[p.i] == c }

// lit reads s.
func (p *aterm) lit(s string) {
	if p.err != nil {
		return
	}
	if !strings.HasPrefix(string(p.b[p.i:]), s) {
		p.fail(fmt.Sprintf("%q", s))
		return
	}
	p.i += len(s)
}

// str reads a quoted string with Nix's escapes (\" \\ \n \r \t).
func (p *aterm) str() string {
	p.lit(`"`)
	var sb strings.Builder
	for p.err == nil {
		if p.i >= len(p.b) {
			p.fail("the end of a string")
			break
		}
		c := p.b[p.i]
		p.i++
		switch c {
		case '"':
			return sb.String()
		case '\\':
			if p.i >= len(p.b) {
				p.fail("an escaped character")
				break
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			}
			sb.WriteByte(e)
		default:
			sb.WriteByte(c)
		}
	}
	return ""
}

// wantedOutputs resolves a deriving path that names outputs of a
// derivation ("DRV!out,dev", "DRV!*", or before 1.30 a bare "DRV"): the
// paths of the outputs asked for. ok is false if the derivation is not
// valid or lacks one of them.
func (h *Handler) wantedOutputs(ctx context.Context, d messages.DerivedPath) (paths []messages.StorePath, ok bool, err error) {
	drv, spec, _ := strings.Cut(string(d), "!")
	outs, ok, err := h.drvOutputs(ctx, messages.StorePath(drv))
	if err != nil || !ok {
		return nil, false, err
	}
	var names []string
	if spec == "" || spec == "*" {
		for n := range outs {
			names = append(names, string(n))
		}
		sort.Strings(names)
	} else {
		names = strings.Split(spec, ",")
	}
	for _, n := range names {
		p, known := outs[messages.OutputName(n)]
		if !known || p == "" {
			return nil, false, nil
		}
		paths = append(paths, p)
	}
	return paths, true, nil
}

// outputsValid reports whether every output a deriving path asks for is
// valid: then there is nothing to build, as for Nix's daemon.
func (h *Handler) outputsValid(ctx context.Context, d messages.DerivedPath) (bool, error) {
	paths, ok, err := h.wantedOutputs(ctx, d)
	if err != nil || !ok {
		return false, err
	}
	for _, p := range paths {
		if ok, err := h.Store.IsValid(ctx, p); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// QueryDerivationOutputMap returns the outputs of a valid derivation and
// their paths, as its file gives them (an output whose path is known only
// once built is left out).
func (h *Handler) QueryDerivationOutputMap(ctx context.Context, req *messages.QueryDerivationOutputMapRequest) (*messages.QueryDerivationOutputMapReply, error) {
	outs, ok, err := h.drvOutputs(ctx, req.DrvPath)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notValid(req.DrvPath)
	}
	for n, p := range outs {
		if p == "" {
			delete(outs, n)
		}
	}
	return &messages.QueryDerivationOutputMapReply{Outputs: outs}, nil
}
