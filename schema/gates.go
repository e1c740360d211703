package schema

import (
	"slices"
	"strings"

	"github.com/nixwire/nixwire/wire"
)

// forEachGate calls fn for every gate written in the package, with the
// file it is written in. It runs before the fields of layouts are merged.
func (c *checker) forEachGate(fn func(g *Gate, f *File)) {
	for _, f := range c.files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *Enum:
				for _, v := range d.Values {
					fn(&v.Gate, f)
				}
			case *Struct:
				for _, fd := range d.Fields {
					fn(&fd.Gate, f)
				}
				for _, l := range d.Layouts {
					fn(&l.Gate, f)
					for _, fd := range l.Fields {
						fn(&fd.Gate, f)
					}
				}
			case *Union:
				for _, v := range d.Variants {
					fn(&v.Gate, f)
				}
			}
		}
		for _, op := range f.Ops {
			fn(&op.Gate, f)
			for _, s := range op.Streams {
				fn(&s.Gate, f)
			}
		}
	}
}

// checkGate resolves the features of g (the parser left placeholders named
// as written) and reports gates that never hold.
func (c *checker) checkGate(g *Gate, f *File) {
	g.If = c.resolveFeatures(g.If, "if", f)
	g.Unless = c.resolveFeatures(g.Unless, "unless", f)
	if g.Until != 0 && g.Since >= g.Until {
		c.errorf(g.Pos, "empty version range: since %s is not below until %s", g.Since, g.Until)
	}
	for _, ft := range g.If {
		if slices.Contains(g.Unless, ft) {
			c.errorf(g.Pos, "gates never hold: if %s and unless %s", ft.Name, ft.Name)
		}
	}
}

// resolveFeatures replaces placeholders by the features they name,
// dropping those that do not resolve (and reporting them and duplicates).
func (c *checker) resolveFeatures(refs []*Feature, kw string, f *File) []*Feature {
	var out []*Feature
	for _, ref := range refs {
		ft := c.lookupFeature(ref, f)
		switch {
		case ft == nil:
		case slices.Contains(out, ft):
			c.errorf(ref.Pos, "duplicate gate %q", kw+" "+ref.Name)
		default:
			out = append(out, ft)
		}
	}
	return out
}

// lookupFeature finds the feature a placeholder names.
func (c *checker) lookupFeature(ref *Feature, f *File) *Feature {
	if ref.Pkg != nil { // already resolved
		return ref
	}
	qual, name, qualified := strings.Cut(ref.Name, ".")
	if !qualified {
		if ft, ok := c.features[ref.Name]; ok {
			return ft
		}
		c.errorf(ref.Pos, "unknown feature %q", ref.Name)
		return nil
	}
	imp := c.imports[f][qual]
	switch {
	case imp == nil:
		c.errorf(ref.Pos, "unknown import %q in feature %q", qual, ref.Name)
		return nil
	case c.broken[imp] || imp.Package == nil:
		return nil
	}
	for _, ft := range imp.Package.Features {
		if ft.Name == name {
			return ft
		}
	}
	c.errorf(ref.Pos, "unknown feature %q: package %q has no feature %q", ref.Name, imp.Path, name)
	return nil
}

// disjoint reports whether no protocol satisfies both a and b: their
// version ranges do not meet, or one requires a feature the other excludes.
func disjoint(a, b Gate) bool {
	until := func(v wire.Version) int {
		if v == 0 {
			return 1 << 16
		}
		return int(v)
	}
	if int(max(a.Since, b.Since)) >= min(until(a.Until), until(b.Until)) {
		return true
	}
	for _, ft := range a.If {
		if slices.Contains(b.Unless, ft) {
			return true
		}
	}
	for _, ft := range a.Unless {
		if slices.Contains(b.If, ft) {
			return true
		}
	}
	return false
}

// sameGate reports whether two resolved gates are the same condition.
func sameGate(a, b Gate) bool {
	return a.Since == b.Since && a.Until == b.Until && sameFeatures(a.If, b.If) && sameFeatures(a.Unless, b.Unless)
}

func sameFeatures(a, b []*Feature) bool {
	if len(a) != len(b) {
		return false
	}
	for _, ft := range a {
		if !slices.Contains(b, ft) {
			return false
		}
	}
	return true
}
