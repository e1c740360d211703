package gen

import (
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/schema"
)

// The Go doc comments of fields and const elements: what the schema's doc
// says, then only facts the Go declaration does not show (the wire
// shape where it differs from the Go type, limits, gates, conditions,
// fixed versions and what encoding does where the field is not on the
// wire); nothing at all when there is nothing to add.

// fieldDoc returns the doc comment of a struct field, "" for none.
func fieldDoc(s *structIR, f *fieldIR) string {
	text := withLines(f.f.Doc)
	facts := shapeSpell(f.t)
	if lim := limitSpell(f.t); lim != "" {
		if facts != "" {
			facts += "; "
		}
		facts += lim
	}
	if facts != "" {
		text = withLines(text, upperFirst(facts)+".")
	}
	var where string
	pkg := s.decl.Pkg
	if s.layouts == nil {
		where = gateProse(f.f.Gate, pkg)
	} else {
		var in []string
		for _, l := range s.layouts {
			for _, e := range l.elems {
				if e.field == f {
					gs := gateProse(l.gate, pkg)
					if own := gateProse(e.gate, pkg); own != "" {
						gs = strings.TrimSpace(gs + ", " + own)
						gs = strings.TrimPrefix(gs, ", ")
					}
					if gs == "" {
						gs = "always"
					}
					in = append(in, gs)
				}
			}
		}
		where = "in the layouts " + strings.Join(in, "; ")
		if len(in) == 0 {
			where = "in no layout"
		}
	}
	var at string
	if f.f.At != nil {
		at = "Its value is encoded at version " + f.f.At.String() + " without features, whatever the negotiated protocol."
	}
	why := "wire.ErrVersion"
	if w := f.f.When; w != nil {
		switch {
		case s.layouts != nil:
			where += ", and "
		case where != "":
			where += " and "
		}
		where += "when " + whenProse(w)
		if f.f.Gate.Always() && s.layouts == nil {
			why = "wire.ErrInvalid"
		} else {
			why = "wire.ErrVersion, or wire.ErrInvalid where only the condition fails"
		}
	}
	if where == "" {
		return withLines(text, at)
	}
	def, accepts := "the zero value", "anything else"
	switch {
	case f.f.Default != nil && f.f.Required:
		def, accepts = literalSpell(f.f.Default), "anything else"
	case f.f.Default != nil:
		def, accepts = literalSpell(f.f.Default), "anything but that or the zero value"
	}
	more := "On the wire only " + where + ". Elsewhere decoding sets it to " + def +
		", and encoding fails (" + why + ") if it holds " + accepts + ", which the peer would not see."
	return withLines(text, more, at)
}

// constDoc documents the const elements of a struct, which have no Go
// field: "On the wire, Magic is the constant 0x6e697863 (u64), written
// by encoding and checked by decoding."
func constDoc(s *structIR) string {
	var parts []string
	add := func(e *elemIR) {
		if e.konst == nil {
			return
		}
		p := e.name + " is the constant " + literalSpell(e.konst) + " (" + typeSpell(e.t) + ")"
		if gs := gateProse(e.gate, s.decl.Pkg); gs != "" {
			p += " " + gs
		}
		if e.when != nil {
			p += " when " + whenProse(e.when)
		}
		for _, q := range parts {
			if q == p {
				return // in several layouts
			}
		}
		parts = append(parts, p)
	}
	for _, e := range s.elems {
		add(e)
	}
	for _, l := range s.layouts {
		for _, e := range l.elems {
			add(e)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "On the wire, " + strings.Join(parts, "; ") + ": encoding writes it and decoding checks it (wire.ErrInvalid), so it has no Go field."
}

// gateProse says where a gate holds, for doc comments: "from 1.16 on,
// before 1.25, with feature F, without feature G"; "" when it always
// does. (Code comments spell gates as the schema does, "until 1.25".)
func gateProse(g schema.Gate, pkg *schema.Package) string {
	var parts []string
	switch {
	case g.Since != 0 && g.Until != 0:
		parts = append(parts, "from "+g.Since.String()+" on and before "+g.Until.String())
	case g.Since != 0:
		parts = append(parts, "from "+g.Since.String()+" on")
	case g.Until != 0:
		parts = append(parts, "before "+g.Until.String())
	}
	for _, f := range g.If {
		parts = append(parts, "with feature "+featureSpell(f, pkg))
	}
	for _, f := range g.Unless {
		parts = append(parts, "without feature "+featureSpell(f, pkg))
	}
	return strings.Join(parts, ", ")
}

// whenProse spells a condition: "Status != 0".
func whenProse(w *schema.Condition) string {
	return strings.TrimPrefix(whenSpell(w), "when ")
}

// shapeSpell says how a value of t is written where the Go type does not
// show it; "" otherwise.
func shapeSpell(t *typ) string {
	if t.ref != nil {
		return ""
	}
	switch t.kind {
	case kList:
		switch {
		case t.terminated:
			return "written without a count: the elements, then an empty string"
		case t.set:
			return "a set, encoded in the order given (Nix writes sets sorted)"
		}
	case kMap:
		return "encoded with its keys in ascending order"
	case kOptEmpty:
		return "the empty string means none"
	}
	return ""
}

// limitSpell spells the limits of t and of what it contains (not those of
// named types, which their own docs state): "at most 4096 bytes", "at
// most 100 elements, each at most 1024 bytes"; "" when t has none.
func limitSpell(t *typ) string {
	if t.ref != nil && t.kind != kOptEmpty {
		return ""
	}
	bound := func(unit string) string {
		s := "at most " + strconv.FormatUint(t.max, 10) + " " + unit
		if t.min > 0 {
			s = "at least " + strconv.FormatUint(t.min, 10) + " and " + s
		}
		return s
	}
	switch t.kind {
	case kString, kBytes:
		return bound("bytes")
	case kList:
		s := bound("elements")
		if e := limitSpell(t.elem); e != "" {
			s += ", each " + e
		}
		return s
	case kMap:
		s := bound("entries")
		if k := limitSpell(t.key); k != "" {
			s += ", keys " + k
		}
		if v := limitSpell(t.elem); v != "" {
			s += ", values " + v
		}
		return s
	case kOptional, kOptEmpty:
		return limitSpell(t.elem)
	}
	return ""
}

// upperFirst capitalizes the first letter of s.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
