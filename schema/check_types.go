package schema

import "strconv"

// forEachType calls fn for every type expression written in the package
// (parents before their elements), with the file it is written in. It
// runs before the fields of layouts are merged.
func (c *checker) forEachType(fn func(t *Type, f *File)) {
	var walk func(t *Type, f *File)
	walk = func(t *Type, f *File) {
		if t == nil {
			return
		}
		fn(t, f)
		walk(t.Key, f)
		walk(t.Elem, f)
	}
	for _, f := range c.files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *Named:
				walk(d.Type, f)
			case *Struct:
				if d.Derived != nil {
					walk(d.Derived.From, f)
				}
				for _, fd := range d.Fields {
					walk(fd.Type, f)
				}
				for _, l := range d.Layouts {
					for _, fd := range l.Fields {
						walk(fd.Type, f)
					}
				}
			case *Union:
				for _, v := range d.Variants {
					walk(v.Type, f)
				}
			}
		}
		for _, op := range f.Ops {
			walk(op.Request, f)
			walk(op.Reply, f)
		}
	}
}

// resolveType resolves a named type and applies default limits.
func (c *checker) resolveType(t *Type, f *File) {
	var def uint64
	switch t.Kind {
	case Ref:
		if t.Decl == nil {
			t.Decl = c.lookupType(t, f)
		}
		return
	case String:
		def = c.pkg.Limits.String
	case Bytes:
		def = c.pkg.Limits.Bytes
	case List, Set, Map:
		def = c.pkg.Limits.Count
	default:
		return
	}
	if t.Max == 0 {
		t.Max = def
		if t.Min > t.Max {
			c.errorf(t.Pos, "min %d is above the default limit %d; give a max too", t.Min, t.Max)
		}
	}
}

// lookupType finds the declaration a Ref names, reporting unknown names.
func (c *checker) lookupType(t *Type, f *File) Decl {
	if t.Qual == "" {
		if d, ok := c.decls[t.Name]; ok {
			return d
		}
		c.errorf(t.Pos, "unknown type %q", t.Name)
		return nil
	}
	imp := c.imports[f][t.Qual]
	switch {
	case imp == nil:
		c.errorf(t.Pos, "unknown import %q in type %q", t.Qual, typeString(t))
		return nil
	case c.broken[imp] || imp.Package == nil:
		return nil
	}
	if d := imp.Package.Lookup(t.Name); d != nil {
		return d
	}
	c.errorf(t.Pos, "unknown type %q: package %q has no type %q", typeString(t), imp.Path, t.Name)
	return nil
}

// base returns the type under t's named types: t itself unless t is a Ref
// to a Named, whose type it follows. The result may still be a Ref, to an
// enum, struct or union, or to nothing when it did not resolve; nil for a
// named type over itself.
func base(t *Type) *Type {
	for range 100 { // recursive named types (reported) give nil
		if t == nil || t.Kind != Ref {
			return t
		}
		n, ok := t.Decl.(*Named)
		if !ok {
			return t
		}
		t = n.Type
	}
	return nil
}

// unresolved reports whether t is a name that did not resolve (already reported).
func unresolved(t *Type) bool { return t == nil || t.Kind == Ref && t.Decl == nil }

// isInteger reports whether k is an integer kind.
func isInteger(k Kind) bool { return k >= U8 && k <= I64 }

// enumOf returns the enum a base type refers to, or nil.
func enumOf(b *Type) *Enum {
	if b == nil || b.Kind != Ref {
		return nil
	}
	e, _ := b.Decl.(*Enum)
	return e
}

// checkShape checks the rules on map keys, optional values and the
// elements of terminated lists.
func (c *checker) checkShape(t *Type, _ *File) {
	switch t.Kind {
	case List, Set:
		if t.Terminated {
			c.checkTerminated(t)
		}
	case Map:
		b := base(t.Key)
		if unresolved(b) {
			return
		}
		if b.Kind != String && !isInteger(b.Kind) && enumOf(b) == nil {
			c.errorf(t.Key.Pos, "map key %s must be a string, integer or enum type", typeString(t.Key))
		}
	case Optional:
		if t.Elem.Kind == Optional {
			c.errorf(t.Elem.Pos, "optional<optional<…>> is not supported")
			return
		}
		if b := base(t.Elem); t.Empty && !unresolved(b) && b.Kind != String {
			c.errorf(t.Pos, "%s needs a string type: the empty string stands for none", typeString(t))
		}
	}
}

// checkNamed checks what a named type is over.
func (c *checker) checkNamed(n *Named) {
	t := n.Type
	switch {
	case t.Kind == Ref:
		switch d := t.Decl.(type) {
		case *Struct, *Union:
			c.errorf(t.Pos, "type %q cannot be over the %s %q: a named type is over a primitive, collection or optional type",
				n.Name, declKind(d), typeString(t))
		}
	case t.Kind == Optional && !t.Empty:
		c.errorf(t.Pos, "type %q cannot be over %s: it would be a Go pointer type, which cannot have methods; "+
			"declare the named type over the element and use optional<%s> in fields", n.Name, typeString(t), n.Name)
	}
}

// checkLiteral checks that the literal of a default, const or when clause
// (what) fits t, the type of the field named field ("": the field of the
// clause), and resolves an enum value name.
func (c *checker) checkLiteral(l *Literal, t *Type, what, field string) {
	b := base(t)
	if b != nil && b.Kind == Optional && b.Empty {
		b = base(b.Elem)
	}
	if unresolved(b) {
		return
	}
	mismatch := func(hint string) {
		of := "the field's type " + typeString(t)
		if field != "" {
			of = "the type " + typeString(t) + " of field " + strconv.Quote(field)
		}
		c.errorf(l.Pos, "%s %s does not fit %s%s", what, literalString(l), of, hint)
	}
	switch l.Kind {
	case IntLit:
		limit := map[Kind]uint64{U8: 1<<8 - 1, U16: 1<<16 - 1, U32: 1<<32 - 1, U64: 1<<64 - 1, I64: 1<<63 - 1}
		switch {
		case isInteger(b.Kind):
			if l.Int > limit[b.Kind] {
				c.errorf(l.Pos, "%s %d is out of range for %s (the maximum is %d)", what, l.Int, b.Kind, limit[b.Kind])
			}
		case enumOf(b) != nil:
			mismatch(": use a value name of enum " + strconv.Quote(enumOf(b).Name))
		default:
			mismatch("")
		}
	case StringLit:
		if b.Kind != String && b.Kind != Bytes {
			mismatch("")
		} else if n := uint64(len(l.Str)); n > b.Max {
			c.errorf(l.Pos, "%s %q is longer than %s allows (%d bytes, max %d)", what, l.Str, typeString(t), n, b.Max)
		} else if n < b.Min {
			c.errorf(l.Pos, "%s %q is shorter than %s allows (%d bytes, min %d)", what, l.Str, typeString(t), n, b.Min)
		}
	case BoolLit:
		if b.Kind != Bool {
			mismatch("")
		}
	case IdentLit:
		e := enumOf(b)
		if e == nil {
			mismatch("")
			return
		}
		for _, v := range e.Values {
			if v.Name == l.Ident {
				l.Value = v
				return
			}
		}
		c.errorf(l.Pos, "unknown value %q of enum %q", l.Ident, e.Name)
	}
}

// literalString formats a literal as written, with its kind.
func literalString(l *Literal) string {
	switch l.Kind {
	case IntLit:
		return strconv.FormatUint(l.Int, 10) + " (a number)"
	case StringLit:
		return strconv.Quote(l.Str) + " (a string)"
	case BoolLit:
		return strconv.FormatBool(l.Bool) + " (a bool)"
	}
	return l.Ident + " (an enum value name)"
}

// constKind reports whether a field of type t can be const: integer,
// string, bool or enum.
func constKind(t *Type) bool {
	b := base(t)
	return unresolved(b) || isInteger(b.Kind) || b.Kind == String || b.Kind == Bool || enumOf(b) != nil
}

// sameType reports whether two resolved type expressions are the same
// type with the same limits; limitsOnly is set when they differ in limits
// only.
func sameType(a, b *Type) (same, limitsOnly bool) {
	if typeString(a) != typeString(b) || !sameDecls(a, b) {
		return false, false
	}
	if !sameLimits(a, b) {
		return false, true
	}
	return true, false
}

func sameDecls(a, b *Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Decl == b.Decl && sameDecls(a.Key, b.Key) && sameDecls(a.Elem, b.Elem)
}

func sameLimits(a, b *Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Min == b.Min && a.Max == b.Max && sameLimits(a.Key, b.Key) && sameLimits(a.Elem, b.Elem)
}
