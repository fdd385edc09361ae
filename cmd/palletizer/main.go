// Command palletizer turns one HCL cluster recipe into mirrored repositories, Stacki pallets,
// installer ISOs, kickstarts, cloud-init user-data and container image bundles.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes: scripts rely on them.
const (
	exitOK      = 0
	exitInvalid = 1 // invalid input, or the job failed
	exitUsage   = 2 // the command line itself is wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(os.Stderr, "palletizer: %v\nRun 'palletizer --help' for usage.\n", err)
		return exitUsage
	}
	var reported reportedError
	if !errors.As(err, &reported) {
		fmt.Fprintf(os.Stderr, "palletizer: %v\n", err)
	}
	return exitInvalid
}

// usageError is a mistake on the command line (unknown flag, wrong number of arguments).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// reportedError means the details were already written (as diagnostics) and only the exit code
// is left to give.
type reportedError struct{ what string }

func (e reportedError) Error() string { return e.what }
