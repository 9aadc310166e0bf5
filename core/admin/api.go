package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mcplex/mcplex/core/config"
)

// Prefix is the path every admin API endpoint lives under.
const Prefix = "/admin/v1/"

// maxBodyBytes caps a request body: a config file or a tool call's
// arguments, never more.
const maxBodyBytes = 4 << 20

// ErrConflict means the config changed between reading it and writing an
// edit of it (another window, another client, or a hand edit).
var ErrConflict = errors.New("the config file changed since it was read; reload it and try again")

// StatusError is an error the admin API answered with. Its message is the
// server's, unchanged (a config problem names the file, line and key).
type StatusError struct {
	Status int    // the HTTP status
	Msg    string // the server's message
}

func (e *StatusError) Error() string { return e.Msg }

// Is makes a 409 answer match [ErrConflict].
func (e *StatusError) Is(target error) bool {
	return target == ErrConflict && e.Status == http.StatusConflict
}

// The wire shapes of the request and response bodies that are not admin
// types already. A server config travels as config.Server's own JSON (Go
// field names, as it has no json tags), so no field can be forgotten.
type (
	configBody struct {
		Path     string `json:"path,omitempty"`
		TOML     string `json:"toml"`
		Revision string `json:"revision"`
	}
	findBody struct {
		Query    string `json:"query"`
		Strategy string `json:"strategy,omitempty"`
		TopK     int    `json:"top_k,omitempty"`
	}
	callBody struct {
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments,omitempty"`
	}
	errorBody struct {
		Error string `json:"error"`
	}
)

// Revision names a config text: the hex SHA-256 of it.
func Revision(toml []byte) string {
	sum := sha256.Sum256(toml)
	return hex.EncodeToString(sum[:])
}

// handlerFunc is an endpoint. It writes a successful answer itself and
// returns an error for [api.ServeHTTP] to render; once it has written
// anything it must return nil.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// methods maps the methods an endpoint answers to their handlers.
type methods map[string]handlerFunc

type api struct {
	b         Backend
	token     []byte
	boot      string // names this handler's event ids, see events
	keepAlive time.Duration
	routes    map[string]methods // by path below Prefix
}

// Handler returns the admin API for b. Every request must come from this
// machine's loopback names (Host 127.0.0.1, localhost or [::1], any port),
// carry no Origin header (no web page may drive it, even through DNS
// rebinding) and carry "Authorization: Bearer token". An empty token
// refuses everything.
//
// The endpoints, all below /admin/v1/, answer JSON; errors are
// {"error": "..."} with a fitting status:
//
//	GET  snapshot     Snapshot
//	GET  events       Server-Sent Events, one "data:" Event each
//	GET  config       {"path", "toml", "revision"}
//	PUT  config       {"toml", "revision"}: 409 if the file changed, 422 if invalid
//	POST start, stop  204
//	POST test-server  config.Server (Go field names) -> TestResult
//	GET  tools        []Tool
//	POST find         {"query", "strategy", "top_k"} -> []Match
//	POST call         {"name", "arguments"} -> CallResult
//
// Besides those: 403 for a foreign Host or any Origin, 401 for a missing or
// wrong token, 405 for a wrong method, 413 for a body over 4 MiB, 503 while
// the gateway is stopped (tools, find, call), 500 for other backend errors.
func Handler(b Backend, token string) http.Handler {
	a := &api{b: b, token: []byte(token), boot: randomID(), keepAlive: keepAliveInterval}
	get := func(h handlerFunc) methods { return methods{http.MethodGet: h} }
	post := func(h handlerFunc) methods { return methods{http.MethodPost: h} }
	a.routes = map[string]methods{
		"snapshot":    get(a.snapshot),
		"events":      get(a.events),
		"config":      {http.MethodGet: a.getConfig, http.MethodPut: a.putConfig},
		"start":       post(a.start),
		"stop":        post(a.stop),
		"test-server": post(a.testServer),
		"tools":       get(a.tools),
		"find":        post(a.find),
		"call":        post(a.call),
	}
	return a
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := a.serve(w, r); err != nil {
		writeError(w, err)
	}
}

func (a *api) serve(w http.ResponseWriter, r *http.Request) error {
	if err := a.admit(r); err != nil {
		return err
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	ms, known := a.routes[name]
	if !ok || !known {
		return &StatusError{http.StatusNotFound, "no such admin endpoint: " + r.URL.Path}
	}
	h, ok := ms[r.Method]
	if !ok {
		w.Header().Set("Allow", strings.Join(slices.Sorted(maps.Keys(ms)), ", "))
		return &StatusError{http.StatusMethodNotAllowed, r.Method + " is not allowed on " + r.URL.Path}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	return h(w, r)
}

// admit refuses requests that are not from a local program holding the
// token. Host and Origin are checked first, so a web page cannot even
// learn whether a token is right.
func (a *api) admit(r *http.Request) error {
	if !loopbackHost(r.Host) {
		return &StatusError{http.StatusForbidden, "the admin API answers only to 127.0.0.1, localhost and [::1]"}
	}
	if r.Header.Get("Origin") != "" {
		return &StatusError{http.StatusForbidden, "the admin API does not answer web pages"}
	}
	scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	ok := strings.EqualFold(scheme, "Bearer") && len(a.token) > 0 &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), a.token) == 1
	if !ok {
		return &StatusError{http.StatusUnauthorized, "missing or wrong admin token"}
	}
	return nil
}

// loopbackHost reports whether a Host header names this machine's loopback
// interface by one of the names a local program uses.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}

func (a *api) snapshot(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, a.b.Snapshot())
	return nil
}

func (a *api) getConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := a.b.Config(r.Context())
	if err != nil {
		return err
	}
	text, err := config.Encode(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, configBody{Path: c.Path, TOML: string(text), Revision: Revision(text)})
	return nil
}

// putConfig replaces the whole config file, if it is still the revision
// the client read. The check runs inside the backend's edit, so no other
// edit can slip in between it and the write.
func (a *api) putConfig(w http.ResponseWriter, r *http.Request) error {
	var body configBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Revision == "" {
		return &StatusError{http.StatusBadRequest, "revision is required: send the one GET config returned"}
	}
	err := a.b.UpdateConfig(r.Context(), func(c *config.Config) error {
		cur, err := config.Encode(c)
		if err != nil {
			return err
		}
		if Revision(cur) != body.Revision {
			return ErrConflict
		}
		parsed, err := config.Parse([]byte(body.TOML), c.Path)
		if err != nil {
			return err
		}
		path := c.Path
		*c = *parsed
		c.Path = path
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) start(w http.ResponseWriter, r *http.Request) error {
	if err := a.b.Start(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) stop(w http.ResponseWriter, r *http.Request) error {
	if err := a.b.Stop(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) testServer(w http.ResponseWriter, r *http.Request) error {
	var s config.Server
	if err := readJSON(r, &s); err != nil {
		return err
	}
	res, err := a.b.TestServer(r.Context(), s)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *api) tools(w http.ResponseWriter, r *http.Request) error {
	tools, err := a.b.Tools(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(tools))
	return nil
}

func (a *api) find(w http.ResponseWriter, r *http.Request) error {
	var body findBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	matches, err := a.b.Find(r.Context(), body.Query, body.Strategy, body.TopK)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(matches))
	return nil
}

func (a *api) call(w http.ResponseWriter, r *http.Request) error {
	var body callBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Name == "" {
		return &StatusError{http.StatusBadRequest, "name is required"}
	}
	res, err := a.b.Call(r.Context(), body.Name, body.Arguments)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// readJSON decodes the request body into v. Unknown fields are ignored, so
// a newer desktop can talk to an older service.
func readJSON(r *http.Request, v any) error {
	err := json.NewDecoder(r.Body).Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &StatusError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over %d bytes", tooBig.Limit)}
	case err != nil:
		return &StatusError{http.StatusBadRequest, "reading the request: " + err.Error()}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to tell it
}

func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, statusOf(err), errorBody{Error: err.Error()})
}

// statusOf picks the HTTP status for an error a handler or the backend
// returned.
func statusOf(err error) int {
	var se *StatusError
	var ce *config.Error
	switch {
	case errors.As(err, &se):
		return se.Status
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.As(err, &ce):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errStopped):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}
