package tokens

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// Encoding names the tokenizer used for every count.
const Encoding = "cl100k_base"

var (
	once  sync.Once
	codec tokenizer.Codec
	err   error
)

// Count returns the number of cl100k_base tokens in text. The vocabulary is
// loaded on first use. If it cannot be loaded, Count falls back to the
// documented estimate of one token per four bytes.
func Count(text string) int {
	once.Do(func() { codec, err = tokenizer.Get(tokenizer.Cl100kBase) })
	if err == nil {
		if n, cerr := codec.Count(text); cerr == nil {
			return n
		}
	}
	return (len(text) + 3) / 4
}
