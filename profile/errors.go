package profile

import (
	"errors"
	"fmt"
)

// Sentinel errors name the kind of problem; an *Error carries where it happened. Callers branch
// with errors.Is on the sentinel and errors.As on *Error to show the file and line.
var (
	// ErrSyntax is malformed XML or a node element palletizer does not know.
	ErrSyntax = errors.New("malformed node file")
	// ErrCond is a cond= expression that does not parse or does not evaluate to a boolean.
	ErrCond = errors.New("bad cond expression")
	// ErrUnknownEntity is an &name; with no attribute behind it.
	ErrUnknownEntity = errors.New("unknown entity")
	// ErrGraph is a missing node, a cycle in order edges or a bad graph file.
	ErrGraph = errors.New("bad node graph")
	// ErrUnsupported is a construct palletizer refuses on purpose (such as <eval>).
	ErrUnsupported = errors.New("unsupported node construct")
	// ErrInput is an Input that cannot produce a profile (no host name, an image missing, ...).
	ErrInput = errors.New("bad profile input")
)

// Error is a problem in a node or graph file, located by file and line.
type Error struct {
	File string
	Line int
	Kind error // one of the sentinels above
	Msg  string
	Err  error // an underlying cause, if any
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", loc, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Is lets errors.Is(err, ErrCond) match an *Error of that kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

func (e *Error) Unwrap() error { return e.Err }

func errorf(kind error, file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
