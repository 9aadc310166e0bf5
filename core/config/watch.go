package config

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the file must be quiet before it is reloaded.
const DefaultDebounce = 300 * time.Millisecond

// Watch calls onChange with the result of loading path each time its
// content changes, until ctx ends. It watches the file's directory, so
// editors that save by writing a temp file and renaming it are seen; bursts
// of writes are debounced into one load; a save that leaves the content as
// it was is skipped, and so is a deleted file (the last good config keeps
// running). onChange runs on Watch's goroutine, one call at a time.
func Watch(ctx context.Context, path string, debounce time.Duration, onChange func(*Config, error)) error {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return err
	}
	last, _ := os.ReadFile(abs)
	go func() {
		defer w.Close()
		watchLoop(ctx, w, abs, debounce, last, onChange)
	}()
	return nil
}

func watchLoop(ctx context.Context, w *fsnotify.Watcher, path string, debounce time.Duration, last []byte, onChange func(*Config, error)) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if filepath.Clean(ev.Name) == path {
				timer.Reset(debounce)
			}
		case _, ok := <-w.Errors:
			if !ok {
				return
			}
		case <-timer.C:
			data, err := os.ReadFile(path)
			if err != nil || bytes.Equal(data, last) {
				continue // deleted, or saved unchanged: keep what runs
			}
			last = data
			cfg, err := Parse(data, path)
			onChange(cfg, err)
		}
	}
}
