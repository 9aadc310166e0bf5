// Package tokens counts LLM tokens with a real BPE tokenizer (OpenAI's
// cl100k_base, whose vocabulary ships inside the tiktoken-go/tokenizer
// module: no download at run time). MCPlex uses it to measure how many
// tokens the meta-tool mode saves compared with listing every tool.
package tokens
