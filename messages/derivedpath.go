package messages

import (
	"errors"
	"strings"

	"github.com/nixwire/nixwire/wire"
)

// ErrDerivedPath is wrapped by the errors of ParseDerivedPath and
// DerivedPathParts.Format.
var ErrDerivedPath = errors.New("invalid deriving path")

// DerivedPathParts is a deriving path taken apart: what a DerivedPath
// string says, independent of the protocol version that spells it.
type DerivedPathParts struct {
	// Path is the store path: the derivation when Built.
	Path StorePath
	// Built asks for outputs of the derivation Path, rather than for Path
	// itself (an "opaque" path).
	Built bool
	// Outputs names the outputs to build; nil (or empty) with Built means
	// all of them.
	Outputs []string
}

// Format spells d for protocol p. Since 1.30 all outputs are written
// "drv!*"; before, the bare derivation path meant all outputs, so an opaque
// derivation path cannot be expressed there and is an error, as in Nix's
// client.
func (d DerivedPathParts) Format(p wire.Proto) (DerivedPath, error) {
	if err := d.Path.Validate(); err != nil {
		return "", err
	}
	if strings.IndexByte(string(d.Path), '!') >= 0 {
		return "", derivedPathError(string(d.Path), "the store path contains '!'")
	}
	modern := p.AtLeast(1, 30)
	switch {
	case !d.Built && !modern && strings.HasSuffix(string(d.Path), ".drv"):
		return "", derivedPathError(string(d.Path), "an opaque derivation path needs protocol 1.30")
	case !d.Built:
		return DerivedPath(d.Path), nil
	case len(d.Outputs) == 0 && modern:
		return DerivedPath(d.Path + "!*"), nil
	case len(d.Outputs) == 0:
		return DerivedPath(d.Path), nil
	}
	for _, o := range d.Outputs {
		if o == "" || o == "*" || strings.ContainsAny(o, ",!") {
			return "", derivedPathError(o, "not an output name")
		}
	}
	return DerivedPath(string(d.Path) + "!" + strings.Join(d.Outputs, ",")), nil
}

// ParseDerivedPath takes s, as sent at protocol p, apart. Before 1.30 a
// bare derivation path (ending in ".drv") means all of its outputs; since
// 1.30 it is the derivation itself.
func ParseDerivedPath(s DerivedPath, p wire.Proto) (DerivedPathParts, error) {
	path, outs, built := strings.Cut(string(s), "!")
	d := DerivedPathParts{Path: StorePath(path), Built: built}
	if err := d.Path.Validate(); err != nil {
		return DerivedPathParts{}, err
	}
	switch {
	case !built:
		d.Built = !p.AtLeast(1, 30) && strings.HasSuffix(path, ".drv")
	case outs == "*" && p.AtLeast(1, 30):
		// all outputs
	default:
		d.Outputs = strings.Split(outs, ",")
		for _, o := range d.Outputs {
			if o == "" || o == "*" || strings.IndexByte(o, '!') >= 0 {
				return DerivedPathParts{}, derivedPathError(string(s), "bad output list")
			}
		}
	}
	return d, nil
}

func derivedPathError(s, reason string) error {
	return &derivedPathErr{s: s, reason: reason}
}

type derivedPathErr struct{ s, reason string }

func (e *derivedPathErr) Error() string {
	return "invalid deriving path " + quoteShort(e.s) + ": " + e.reason
}

func (e *derivedPathErr) Unwrap() error { return ErrDerivedPath }
