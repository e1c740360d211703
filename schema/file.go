package schema

// File is one parsed schema file. Its statements are model values whose
// names are not resolved yet: Type.Decl is nil for types written by name,
// Literal.Value is nil, DeclInfo.Pkg and Feature.Pkg are nil, Import.Package
// is nil, and the features of a gate (Gate.If, Gate.Unless) are
// placeholders whose Name is the name as written (possibly qualified, as in
// "nix.F") and whose Pkg is nil. Load resolves all of them.
//
// The parser already synthesizes the structs of ops: an inline
// `request { … }` or `reply { … }` becomes a struct named <Op>Request or
// <Op>Reply, and an op without a request gets an empty <Op>Request struct;
// these structs have Struct.Op set and follow the declarations that precede
// the op in Decls. For a struct of layouts, Struct.Fields is nil and each
// layout holds its own fields; Load merges them (see Struct).
type File struct {
	Name        string   // file name as given
	Protocol    string   // from the protocol statement; "" if none
	ProtocolPos Pos      // position of the protocol statement; zero if none
	ProtocolDoc string   // doc comment of the protocol statement
	Extends     *NameRef // the protocol named by `extends`; nil if none
	Imports     []*Import
	Limits      *Limits // the limits block, with 0 for a kind it does not name; nil if none
	LimitsPos   Pos     // position of the limits block
	Features    []*Feature
	Decls       []Decl // named types, enums, structs and unions in order, with the structs synthesized for ops
	Ops         []*Op
}

// ParseFile parses one schema file without resolving names or checking it.
// Positions use filename as given. On errors it returns the part of the
// file it could parse and an ErrorList with every syntax error, sorted; the
// parser resumes at the next line or declaration after each one.
func ParseFile(filename string, src []byte) (*File, error) {
	var errs ErrorList
	f := parse(filename, src, &errs)
	errs.Sort()
	return f, errs.Err()
}
