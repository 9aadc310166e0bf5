package metrics

import (
	"math/bits"
	"sync"
	"time"
)

// The time series behind the GUI charts: SeriesLen steps of SeriesStep.
const (
	SeriesStep = 5 * time.Second
	SeriesLen  = 120 // 10 minutes
)

// Point is one step of the time series.
type Point struct {
	Time         time.Time `json:"time"` // start of the step
	CallsPerSec  float64   `json:"calls_per_sec"`
	ErrorsPerSec float64   `json:"errors_per_sec"`
	P95Ms        float64   `json:"p95_ms"` // upstream calls only; 0 when none
}

// series is a ring of SeriesLen steps. A slot is reused when its step
// comes round again.
type series struct {
	mu    sync.Mutex
	slots [SeriesLen]slot // guarded by mu
}

type slot struct {
	step   int64 // unix nanoseconds / SeriesStep
	calls  uint32
	errors uint32
	hist   logHist // upstream durations
}

func (s *series) record(now time.Time, d time.Duration, failed, timed bool) {
	step := now.UnixNano() / int64(SeriesStep)
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := &s.slots[step%SeriesLen]
	if sl.step != step {
		*sl = slot{step: step}
	}
	sl.calls++
	if failed {
		sl.errors++
	}
	if timed {
		sl.hist.add(micros(d))
	}
}

// points returns SeriesLen points, oldest first, ending with the step that
// holds now. The current step's rates use the time elapsed in it.
func (s *series) points(now time.Time) []Point {
	cur := now.UnixNano() / int64(SeriesStep)
	out := make([]Point, SeriesLen)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range out {
		step := cur - SeriesLen + 1 + int64(i)
		p := &out[i]
		p.Time = time.Unix(0, step*int64(SeriesStep))
		if step < 0 {
			continue
		}
		sl := &s.slots[step%SeriesLen]
		if sl.step != step {
			continue
		}
		secs := SeriesStep.Seconds()
		if step == cur {
			secs = max(now.Sub(p.Time).Seconds(), 1)
		}
		p.CallsPerSec = float64(sl.calls) / secs
		p.ErrorsPerSec = float64(sl.errors) / secs
		p.P95Ms = usToMs(sl.hist.quantile(95))
	}
	return out
}

// logHist is a log-linear histogram of microseconds: values below 16 are
// exact, above that each power of two has 16 buckets (at most 6.25% wide;
// the midpoint is within about 3%). It covers the whole uint32 range.
type logHist struct {
	n      uint32
	counts [histBuckets]uint32
}

const (
	subBits     = 4
	subBuckets  = 1 << subBits
	histBuckets = subBuckets + (32-subBits)*subBuckets
)

func (h *logHist) add(us uint32) {
	h.n++
	h.counts[histIndex(us)]++
}

func histIndex(us uint32) int {
	if us < subBuckets {
		return int(us)
	}
	shift := bits.Len32(us) - subBits - 1
	return subBuckets + shift*subBuckets + int(us>>shift) - subBuckets
}

// histValue is the midpoint of bucket i.
func histValue(i int) uint32 {
	if i < subBuckets {
		return uint32(i)
	}
	shift := (i - subBuckets) / subBuckets
	lo := uint64(subBuckets+(i-subBuckets)%subBuckets) << shift
	return uint32(lo + (uint64(1)<<shift)/2)
}

// quantile returns the nearest-rank p-th percentile, 0 when empty.
func (h *logHist) quantile(p int) uint32 {
	if h.n == 0 {
		return 0
	}
	rank := max((uint64(p)*uint64(h.n)+99)/100, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return histValue(i)
		}
	}
	return histValue(histBuckets - 1)
}
