package schema

import (
	"strconv"

	"github.com/nixwire/nixwire/wire"
)

// tokenKind is the kind of a lexical token.
type tokenKind int

const (
	tEOF     tokenKind = iota
	tNewline           // a line end or ';': ends fields, values, variants, limit lines and op items
	tIdent             // identifiers and keywords (keywords are not reserved)
	tInt               // decimal or hexadecimal number
	tVersion           // major.minor
	tString            // double-quoted string
	tLBrace            // {
	tRBrace            // }
	tLAngle            // <
	tRAngle            // >
	tLParen            // (
	tRParen            // )
	tComma             // ,
	tAssign            // =
	tDot               // .
	tEq                // ==
	tNe                // !=
	tIllegal           // a lexical error, already reported by the lexer
)

// token is one lexical token.
type token struct {
	kind  tokenKind
	pos   Pos
	text  string       // source text (for tNewline: "\n" or ";"; empty at EOF)
	num   uint64       // tInt
	ver   wire.Version // tVersion
	str   string       // tString: the unquoted value
	first bool         // first token on its line
	// doc is the comment group directly above the token's line, when the
	// token is the first on its line; comment is the comment that ends the
	// line of a tNewline token. Both without the "//" markers.
	doc, comment string
}

// describe returns the token as error messages show it.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNewline:
		if t.text == ";" {
			return `";"`
		}
		return "end of line"
	case tIdent:
		return strconv.Quote(t.text)
	case tInt:
		return "number " + t.text
	case tVersion:
		return "version " + t.text
	case tString:
		return "string " + t.text
	}
	return strconv.Quote(t.text)
}

// is reports whether t is the identifier (or keyword) word.
func (t token) is(word string) bool { return t.kind == tIdent && t.text == word }

// topKeywords start the top-level statements; a line starting with one is
// where the parser resumes after an error, and a struct, enum, union, op or
// limits body that meets one at the start of a line is missing its "}".
var topKeywords = map[string]bool{
	"protocol": true, "import": true, "limits": true, "feature": true,
	"type": true, "enum": true, "struct": true, "union": true, "op": true,
}
