package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/policy"
	"golang.org/x/time/rate"
)

type identityKey struct{}

// presentedKey returns the API key of r (Authorization: Bearer or
// X-API-Key) and whether the headers are usable: several keys, or two
// different ones, are refused rather than picking one.
func presentedKey(h http.Header) (string, bool) {
	var keys []string
	for _, v := range h.Values("Authorization") {
		scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		keys = append(keys, strings.TrimSpace(token))
	}
	keys = append(keys, h.Values("X-API-Key")...)
	switch {
	case len(keys) == 0:
		return "", true
	case len(keys) > 1 && (len(keys) > 2 || keys[0] != keys[1]):
		return "", false
	}
	return keys[0], true
}

// identify maps request headers to an identity. The HTTP front has already
// refused bad keys; a request without one is anonymous.
func (g *Gateway) identify(h http.Header) policy.Identity {
	if key, ok := presentedKey(h); ok && key != "" {
		if id, ok := g.policy().Authenticate(key); ok {
			return id
		}
	}
	return policy.Anonymous()
}

// authGuard authenticates every request to /mcp. With any key configured,
// a request without a valid one gets 401 and never reaches the SDK. Keys in
// the URL are refused outright: URLs end up in logs.
func (g *Gateway) authGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for _, name := range []string{"api_key", "apikey", "key", "token", "access_token"} {
			if q.Has(name) {
				g.authFailed(w, r, "API key in the URL query")
				return
			}
		}
		key, ok := presentedKey(r.Header)
		if !ok && len(r.Header.Values("Authorization"))+len(r.Header.Values("X-API-Key")) > 1 {
			// Several different credentials: refuse rather than pick one.
			g.metricsAuthFailed()
			g.auditLog(audit.Event{Event: audit.AuthFailed, Outcome: audit.OutcomeDenied, Reason: "conflicting credentials", Remote: remoteHost(r), TraceID: newTraceID()})
			rpcError(w, http.StatusBadRequest, nil, -32600, "conflicting credentials: send one API key")
			return
		}
		if !ok {
			g.authFailed(w, r, "malformed credentials")
			return
		}
		id := policy.Anonymous()
		pol := g.policy()
		if key != "" {
			if got, valid := pol.Authenticate(key); valid {
				id = got
			} else if pol.KeysConfigured() {
				g.authFailed(w, r, "invalid API key")
				return
			}
		}
		if pol.KeysConfigured() && !id.Authenticated {
			g.authFailed(w, r, "missing API key")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

func identityOf(r *http.Request) policy.Identity {
	if id, ok := r.Context().Value(identityKey{}).(policy.Identity); ok {
		return id
	}
	return policy.Anonymous()
}

func (g *Gateway) authFailed(w http.ResponseWriter, r *http.Request, reason string) {
	g.metricsAuthFailed()
	g.auditLog(audit.Event{Event: audit.AuthFailed, Outcome: audit.OutcomeDenied, Reason: reason, Remote: remoteHost(r), TraceID: newTraceID()})
	w.Header().Set("WWW-Authenticate", `Bearer realm="mcplex", error="invalid_token"`)
	rpcError(w, http.StatusUnauthorized, nil, -32001, "unauthorized: "+reason+" (send Authorization: Bearer <key> or X-API-Key: <key>)")
}

func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func newTraceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sessionOwners binds each downstream session to the identity that created
// it: another identity presenting the session id gets 404, as if it did not
// exist.
type sessionOwners struct {
	mu     sync.Mutex
	owners map[string]string // session id -> identity id
}

func (s *sessionOwners) owner(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.owners[id]
	return o, ok
}

func (s *sessionOwners) bind(session, identity string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owners == nil {
		s.owners = map[string]string{}
	}
	s.owners[session] = identity
}

// prune forgets sessions that no longer exist.
func (s *sessionOwners) prune(live map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.owners {
		if !live[id] {
			delete(s.owners, id)
		}
	}
}

// sessionGuard enforces session ownership and records the owner of every
// session the SDK creates.
func (g *Gateway) sessionGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := identityOf(r)
		if sid := r.Header.Get("Mcp-Session-Id"); sid != "" {
			if owner, ok := g.owners.owner(sid); ok && owner != ownerKey(id, r) {
				g.rejected(r, "session", "a session id of another identity was presented")
				http.Error(w, "session not found", http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost && g.sessionsOf(id, r) >= g.Config().Gateway.MaxSessionsPerClient {
			g.rejected(r, "session_limit", "too many open sessions for this client")
			w.Header().Set("Retry-After", "60")
			rpcError(w, http.StatusTooManyRequests, nil, codeUnavailable,
				"too many open sessions: close unused ones (DELETE) or wait for idle ones to expire")
			return
		}
		next.ServeHTTP(&bindingWriter{ResponseWriter: w, bind: func(sid string) {
			g.owners.bind(sid, ownerKey(id, r))
			g.pruneOwners()
		}}, r)
	})
}

// sessionsOf counts the live sessions created by the client of r.
func (g *Gateway) sessionsOf(id policy.Identity, r *http.Request) int {
	owner := ownerKey(id, r)
	n := 0
	for ss := range g.server.Sessions() {
		if o, ok := g.owners.owner(ss.ID()); ok && o == owner {
			n++
		}
	}
	return n
}

// ownerKey is who owns a session: the key's identity, or the remote
// address for callers without a key.
func ownerKey(id policy.Identity, r *http.Request) string {
	if id.Authenticated {
		return id.ID
	}
	return id.ID + "@" + remoteHost(r)
}

func (g *Gateway) pruneOwners() {
	live := map[string]bool{}
	for ss := range g.server.Sessions() {
		live[ss.ID()] = true
	}
	// The session being created is not listed until initialize completes.
	g.owners.mu.Lock()
	n := len(g.owners.owners)
	g.owners.mu.Unlock()
	if n > 2*len(live)+64 {
		g.owners.prune(live)
	}
}

// bindingWriter captures the Mcp-Session-Id a response assigns.
type bindingWriter struct {
	http.ResponseWriter
	bind func(string)
	done bool
}

func (b *bindingWriter) WriteHeader(code int) {
	if !b.done {
		b.done = true
		if sid := b.Header().Get("Mcp-Session-Id"); sid != "" {
			b.bind(sid)
		}
	}
	b.ResponseWriter.WriteHeader(code)
}

func (b *bindingWriter) Write(p []byte) (int, error) {
	if !b.done {
		b.WriteHeader(http.StatusOK)
	}
	return b.ResponseWriter.Write(p)
}

func (b *bindingWriter) Flush() {
	if f, ok := b.ResponseWriter.(http.Flusher); ok {
		if !b.done {
			b.WriteHeader(http.StatusOK)
		}
		f.Flush()
	}
}

func (b *bindingWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// limiters holds one token bucket per client: the identity of a key, else
// the remote address (client-supplied headers are never trusted for this).
type limiters struct {
	mu      sync.Mutex
	rps     int
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// allow reports whether client may make a request now, and if not, after
// how long it may retry.
func (l *limiters) allow(client string, rps int) (bool, time.Duration) {
	if rps <= 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rps != rps || l.buckets == nil {
		l.rps, l.buckets = rps, map[string]*bucket{}
	}
	b := l.buckets[client]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(rps), 2*rps)}
		l.buckets[client] = b
	}
	b.seen = now
	if now.Sub(l.sweep) > time.Minute {
		l.sweep = now
		for k, v := range l.buckets {
			if now.Sub(v.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
	}
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateGuard applies [gateway] rate_limit_rps per client to every POST.
func (g *Gateway) rateGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		id := identityOf(r)
		client := id.ID
		if !id.Authenticated {
			client = "addr:" + remoteHost(r)
		}
		ok, wait := g.limits.allow(client, g.Config().Gateway.RateLimitRPS)
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			g.metricsRateLimited()
			g.auditLog(audit.Event{Event: audit.RateLimited, Outcome: audit.OutcomeDenied, Identity: describe(id), Role: id.Role,
				Remote: remoteHost(r), TraceID: newTraceID(), Reason: "rate_limit_rps " + strconv.Itoa(g.Config().Gateway.RateLimitRPS)})
			rpcError(w, http.StatusTooManyRequests, nil, codeUnavailable, "rate limited: retry after "+strconv.Itoa(max(secs, 1))+"s")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// describe names an identity in audit records: its description, else its id.
func describe(id policy.Identity) string {
	if id.Description != "" {
		return id.Description
	}
	return id.ID
}
