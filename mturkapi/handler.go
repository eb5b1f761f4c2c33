package mturkapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sigv4"
)

// Target prefixes: MTurk's own operations, and turkmail's additions under a prefix of its own
// so they can never collide with a future MTurk operation.
const (
	mturkPrefix    = "MTurkRequesterServiceV20170117"
	turkmailPrefix = "Turkmail20261201"
	maxBodyBytes   = 1 << 20
)

// Config is what New needs.
type Config struct {
	Service *turkmail.Service
	Region  string // the SigV4 region requests must be scoped to
	Logger  *slog.Logger
	Metrics *Metrics
	Now     func() time.Time
}

// Handler serves the MTurk endpoint (POST /).
type Handler struct {
	svc      *turkmail.Service
	verifier *sigv4.Verifier
	log      *slog.Logger
	metrics  *Metrics
	ops      map[string]operation
	now      func() time.Time
}

// New returns the endpoint's handler.
func New(c Config) *Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	h := &Handler{svc: c.Service, log: c.Logger, metrics: c.Metrics, now: c.Now}
	h.verifier = sigv4.NewVerifier(sigv4.Config{
		Service: "mturk-requester",
		Region:  c.Region,
		Now:     c.Now,
		Lookup:  h.lookupKey,
	})
	h.ops = operations()
	return h
}

func (h *Handler) lookupKey(ctx context.Context, accessKeyID string) (string, string, error) {
	secret, owner, err := h.svc.LookupKey(ctx, accessKeyID)
	if errors.Is(err, turkmail.ErrNotFound) {
		return "", "", sigv4.ErrUnknownKey
	}
	return secret, owner, err
}

// call is one request on its way through an operation.
type call struct {
	requesterID string
	body        []byte
	svc         *turkmail.Service
	r           *http.Request
	header      http.Header // response headers an operation may add
}

// operation runs one API operation and returns its response shape.
type operation func(ctx context.Context, c *call) (any, error)

// op adapts a typed operation: decode strictly into In, then run.
func op[In any](fn func(ctx context.Context, c *call, in *In) (any, error)) operation {
	return func(ctx context.Context, c *call) (any, error) {
		var in In
		if err := decode(c.body, &in); err != nil {
			return nil, err
		}
		return fn(ctx, c, &in)
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	opName, requesterID, err := h.serve(w, r, reqID)
	e := (*turkmail.Error)(nil)
	code := "OK"
	if err != nil {
		e = turkmail.AsError(err)
		code = string(e.Code)
		h.writeError(w, e)
	}
	elapsed := h.now().Sub(start)
	h.metrics.observe(opName, code, elapsed)
	attrs := []any{"request_id", reqID, "operation", opName, "requester", requesterID, "code", code, "duration", elapsed}
	switch {
	case e != nil && e.Code == turkmail.CodeServiceFault:
		h.log.Error("api request failed", append(attrs, "error", e.Err)...)
	default:
		h.log.Debug("api request", attrs...)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, reqID string) (opName, requesterID string, err error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		if r.URL.Path == "/" {
			return "-", "", &turkmail.Error{Code: codeMethodNotAllowed, Message: "The MTurk endpoint accepts POST only."}
		}
		return "-", "", &turkmail.Error{Code: codeNotFound, Message: "No such path: " + r.URL.Path + ". The MTurk API is POST /."}
	}
	opName, prefix, err := parseTarget(r.Header.Values("X-Amz-Target"))
	if err != nil {
		return "-", "", err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, perr := mime.ParseMediaType(ct)
		if perr != nil || (mt != "application/x-amz-json-1.1" && mt != "application/json") {
			return opName, "", &turkmail.Error{Code: codeUnsupportedMedium,
				Message: "Content-Type must be application/x-amz-json-1.1."}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return opName, "", &turkmail.Error{Code: codeRequestTooLarge, Message: "The request body is larger than 1 MiB."}
		}
		return opName, "", requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body could not be read.")
	}
	requesterID, err = h.verifier.Verify(r.Context(), r, body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return opName, "", &turkmail.Error{Code: turkmail.Code(se.Code), Message: se.Message}
		}
		return opName, "", turkmail.Fault(err)
	}
	run, ok := h.ops[prefix+"."+opName]
	if !ok {
		if prefix == mturkPrefix && mturkOperations[opName] {
			return opName, requesterID, requestError("AWS.MechanicalTurk.OperationNotSupported",
				"The operation %s is not supported by turkmail.", opName)
		}
		return opName, requesterID, &turkmail.Error{Code: turkmail.CodeUnknownOperation,
			Message: "Unknown operation " + prefix + "." + opName + "."}
	}
	c := &call{requesterID: requesterID, body: body, svc: h.svc, r: r, header: w.Header()}
	out, err := run(r.Context(), c)
	if err != nil {
		return opName, requesterID, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return opName, requesterID, turkmail.Fault(err)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return opName, requesterID, nil
}

// parseTarget splits X-Amz-Target into operation and prefix. Missing, repeated, empty, or of
// an unknown service: a RequestError that says which.
func parseTarget(values []string) (opName, prefix string, err error) {
	if len(values) != 1 {
		return "-", "", &turkmail.Error{Code: turkmail.CodeUnknownOperation,
			Message: "The X-Amz-Target header must be given exactly once, as " + mturkPrefix + ".<Operation>."}
	}
	prefix, opName, ok := strings.Cut(values[0], ".")
	if !ok || opName == "" || strings.Contains(opName, ".") || (prefix != mturkPrefix && prefix != turkmailPrefix) {
		return "-", "", &turkmail.Error{Code: turkmail.CodeUnknownOperation,
			Message: "X-Amz-Target must be " + mturkPrefix + ".<Operation>; got " + quoteShort(values[0]) + "."}
	}
	if len(opName) > 64 {
		return "-", "", &turkmail.Error{Code: turkmail.CodeUnknownOperation, Message: "Unknown operation " + quoteShort(opName) + "."}
	}
	return opName, prefix, nil
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strings.ToValidUTF8(`"`+s+`"`, "?")
}

func (h *Handler) writeError(w http.ResponseWriter, e *turkmail.Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(httpStatus(e.Code))
	w.Write(encodeError(e))
}

// newRequestID returns a random UUID-shaped id, as AWS's request ids look.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
