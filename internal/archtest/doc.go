// Package archtest holds the test that enforces ARCHITECTURE.md's import rules and keeps
// libraries silent; it has no code of its own.
package archtest
