package main

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/palletizer/palletizer/builder"
)

// progress renders builder events: a bar per step on a terminal, plain lines otherwise.
type progress struct {
	w    io.Writer
	tty  bool
	bar  *progressbar.ProgressBar
	step string
	seen map[string]bool // plain lines already printed, so a log gets each once
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), seen: map[string]bool{}}
}

func (p *progress) event(e builder.Event) {
	if !p.tty {
		line := e.Step + ": " + e.Message
		if e.Message != "" && !p.seen[line] {
			p.seen[line] = true
			fmt.Fprintln(p.w, line)
		}
		return
	}
	if p.bar == nil || p.step != e.Step {
		if p.bar != nil {
			_ = p.bar.Finish()
		}
		total := e.Total
		if total <= 0 {
			total = -1
		}
		p.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(e.Step),
			progressbar.OptionShowBytes(true), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100_000_000))
		p.step = e.Step
	}
	if e.Total > 0 {
		p.bar.ChangeMax64(e.Total)
	}
	_ = p.bar.Set64(e.Done)
	if e.Message != "" {
		p.bar.Describe(e.Step + ": " + e.Message)
	}
}
