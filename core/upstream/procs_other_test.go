//go:build !linux

package upstream

import (
	"testing"
	"time"
)

func procExists(int) bool { return false }

func markerPIDs(t *testing.T, _ string) []int {
	t.Skip("process inspection needs /proc")
	return nil
}

func waitGone(t *testing.T, _ time.Duration, _ string, _ ...int) {
	t.Skip("process inspection needs /proc")
}
