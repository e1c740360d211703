package schema

import (
	"strconv"
	"strings"
)

// The checks of terminated lists and of the when and at clauses.

// checkTerminated checks the element of list<T, terminated> (or set): a
// string type, whose empty value ends the list, or a struct of plain
// fields whose first field is a string type always on the wire, which the
// decoder reads to find the end.
func (c *checker) checkTerminated(t *Type) {
	e := t.Elem
	b := base(e)
	if unresolved(b) {
		return
	}
	what := typeString(t)
	switch {
	case b.Kind == String || b.Kind == Bytes:
		return
	case b.Kind == Optional && b.Empty:
		c.errorf(e.Pos, "%s: the element is %s, whose none is the empty string that ends the list", what, typeString(e))
		return
	}
	s, ok := b.Decl.(*Struct)
	if b.Kind != Ref || !ok {
		c.errorf(e.Pos, "%s: the element must be a string type or a struct whose first field is one (an empty string ends the list), not %s",
			what, typeString(e))
		return
	}
	switch {
	case s.Layouts != nil:
		c.errorf(e.Pos, "%s: struct %q has layouts; the element of a terminated list must be a struct of plain fields whose first field is a string type", what, s.Name)
		return
	case len(s.Fields) == 0:
		c.errorf(e.Pos, "%s: struct %q has no fields; the element of a terminated list must begin with a string field", what, s.Name)
		return
	}
	lead := s.Fields[0]
	lb := base(lead.Type)
	switch {
	case unresolved(lb):
	case lb.Kind == Optional && lb.Empty:
		c.errorf(e.Pos, "%s: the first field %s.%s is %s, whose none is the empty string that ends the list", what, s.Name, lead.Name, typeString(lead.Type))
	case lb.Kind != String && lb.Kind != Bytes:
		c.errorf(e.Pos, "%s: the first field %s.%s is %s; the element of a terminated list must begin with a string field (an empty string ends the list)",
			what, s.Name, lead.Name, typeString(lead.Type))
	case !lead.Gate.Always() || lead.When != nil || lead.Const != nil:
		c.errorf(e.Pos, "%s: the first field %s.%s must always be on the wire and not const: the decoder reads it to find the end of the list",
			what, s.Name, lead.Name)
	}
}

// checkConditions resolves the when clauses of fields, each against the
// fields before it: in a struct of layouts, the fields before it in each
// layout that holds it (after the layouts are merged, see checkStruct).
func (c *checker) checkConditions(s *Struct) {
	if s.Layouts == nil {
		for i, fd := range s.Fields {
			if fd.When != nil {
				c.resolveCondition(s, fd, s.Fields[:i], nil)
			}
		}
		return
	}
	for _, l := range s.Layouts {
		for i, fd := range l.Fields {
			if fd.When != nil {
				c.resolveCondition(s, fd, l.Fields[:i], l)
			}
		}
	}
}

// resolveCondition resolves fd's when clause against the fields before it,
// and checks that the field it compares can be compared with its literal.
// l is fd's layout in a struct of layouts.
func (c *checker) resolveCondition(s *Struct, fd *Field, before []*Field, l *Layout) {
	w := fd.When
	where := "when " + w.Name
	var ref *Field
	for _, f := range before {
		if f.Name == w.Name {
			ref = f
		}
	}
	if ref == nil {
		in := ""
		if l != nil {
			in = " in the layout at " + l.Pos.String()
		}
		switch {
		case w.Name == fd.Name:
			c.errorf(w.Pos, "%s: field %q cannot depend on itself; a condition compares an earlier field", where, fd.Name)
		case hasField(s, w.Name):
			c.errorf(w.Pos, "%s: field %q is not before field %q%s; a condition compares an earlier field", where, w.Name, fd.Name, in)
		default:
			c.errorf(w.Pos, "%s: %s has no field %q", where, structWhat(s), w.Name)
		}
		return
	}
	w.Field = ref
	b := base(ref.Type)
	switch {
	case ref.Const != nil:
		c.errorf(w.Pos, "%s: field %q is const; a condition compares a field that has a Go value", where, ref.Name)
	case unresolved(b):
	case !isInteger(b.Kind) && b.Kind != Bool && enumOf(b) == nil:
		c.errorf(w.Pos, "%s: field %q is %s; a condition compares an integer, bool or enum field", where, ref.Name, typeString(ref.Type))
	default:
		c.checkLiteral(w.Value, ref.Type, "when value", ref.Name)
	}
}

// hasField reports whether s has a field named name (in any layout).
func hasField(s *Struct, name string) bool {
	for _, f := range s.Fields {
		if f.Name == name {
			return true
		}
	}
	for _, l := range s.Layouts {
		for _, f := range l.Fields {
			if f.Name == name {
				return true
			}
		}
	}
	return false
}

// structWhat names a struct in messages: "struct \"S\"", or what it is for
// an op's request or reply.
func structWhat(s *Struct) string {
	if k := declKind(s); k != "struct" {
		return "the " + k
	}
	return "struct " + strconv.Quote(s.Name)
}

// sameCondition reports whether two when clauses are written alike.
func sameCondition(a, b *Condition) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Equal == b.Equal && sameLiteral(a.Value, b.Value)
}

// checkTerminatedCycles reports structs that contain a terminated list of
// themselves other than through a struct or union field: a decoder reads
// the first field of a terminated list's element and decodes the others
// inline, so such a struct's decoder would contain itself.
func (c *checker) checkTerminatedCycles() {
	// elems collects the element structs (of this package) of the
	// terminated lists in t, through collections and named types.
	type use struct {
		s   *Struct
		pos Pos
	}
	var elems func(t *Type, seen map[*Named]bool, out *[]use)
	elems = func(t *Type, seen map[*Named]bool, out *[]use) {
		if t == nil {
			return
		}
		switch t.Kind {
		case List, Set:
			if b := base(t.Elem); t.Terminated && b != nil && b.Kind == Ref {
				if s, ok := b.Decl.(*Struct); ok && s.Pkg == c.pkg {
					*out = append(*out, use{s, t.Pos})
				}
			}
			elems(t.Elem, seen, out)
		case Map:
			elems(t.Key, seen, out)
			elems(t.Elem, seen, out)
		case Optional:
			elems(t.Elem, seen, out)
		case Ref:
			if n, ok := t.Decl.(*Named); ok && n.Pkg == c.pkg && !seen[n] {
				seen[n] = true
				elems(n.Type, seen, out)
			}
		}
	}
	edges := map[*Struct][]use{}
	var structs []*Struct
	for _, d := range c.pkg.Decls {
		s, ok := d.(*Struct)
		if !ok {
			continue
		}
		structs = append(structs, s)
		var out []use
		for _, fd := range s.Fields {
			elems(fd.Type, map[*Named]bool{}, &out)
		}
		edges[s] = out
	}
	state := map[*Struct]int{} // 1: on the stack, 2: done
	var stack []*Struct
	var visit func(s *Struct)
	visit = func(s *Struct) {
		state[s] = 1
		stack = append(stack, s)
		for _, u := range edges[s] {
			switch state[u.s] {
			case 0:
				visit(u.s)
			case 1:
				var names []string
				for i := len(stack) - 1; i >= 0; i-- {
					names = append([]string{stack[i].Name}, names...)
					if stack[i] == u.s {
						break
					}
				}
				c.errorf(u.pos, "invalid recursive type %q: %s → %s through terminated lists, whose elements are decoded inline; "+
					"wrap the list in a struct", u.s.Name, strings.Join(names, " → "), u.s.Name)
			}
		}
		stack = stack[:len(stack)-1]
		state[s] = 2
	}
	for _, s := range structs {
		if state[s] == 0 {
			visit(s)
		}
	}
}
