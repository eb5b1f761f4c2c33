package web

import (
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"

	"github.com/turkmail/turkmail"
)

// The unsubscribe pages: every email's footer and List-Unsubscribe header link to
// /unsubscribe/{token}. GET shows what the link is about and one button, and changes
// nothing (mail scanners and link previews fetch links). POST records the opt-out: the
// button's form, and RFC 8058's one-click POST that mail clients send by themselves with
// the body List-Unsubscribe=One-Click, without cookies or any page interaction. Any POST to
// a valid link unsubscribes, so the body is not inspected. A link this deployment did not
// make gets a plain 404 page that says nothing more.

// unsubscribeRoutes adds the pages to mux. Every other request under the prefix gets the
// same 404 page rather than the API's JSON error.
func unsubscribeRoutes(mux *http.ServeMux, svc *turkmail.Service, log *slog.Logger) {
	u := unsubscribePages{svc: svc, log: log,
		tmpl: template.Must(template.New("unsubscribe").Parse(unsubscribeHTML))}
	mux.HandleFunc("GET "+turkmail.UnsubscribePath+"{token}", u.show)
	mux.HandleFunc("POST "+turkmail.UnsubscribePath+"{token}", u.unsubscribe)
	mux.HandleFunc(turkmail.UnsubscribePath, func(w http.ResponseWriter, _ *http.Request) {
		u.render(w, http.StatusNotFound, pageData{View: "invalid"})
	})
}

type unsubscribePages struct {
	svc  *turkmail.Service
	log  *slog.Logger
	tmpl *template.Template
}

// pageData is all a page shows. Every value goes through html/template's escaping.
type pageData struct {
	View          string // confirm, done, invalid, error
	WorkerID      string
	RequesterName string
	Since         string
}

func (u unsubscribePages) show(w http.ResponseWriter, r *http.Request) {
	s, err := u.svc.Unsubscription(r.Context(), r.PathValue("token"))
	if err != nil {
		u.fail(w, err)
		return
	}
	d := pageData{View: "confirm", WorkerID: s.WorkerID, RequesterName: s.RequesterName}
	if !s.OptedOutAt.IsZero() {
		d.View, d.Since = "done", s.OptedOutAt.Format("2 January 2006")
	}
	u.render(w, http.StatusOK, d)
}

func (u unsubscribePages) unsubscribe(w http.ResponseWriter, r *http.Request) {
	// Drain a little of the body so that keep-alive connections stay usable; its content
	// does not matter (see above).
	io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 4096))
	s, err := u.svc.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		u.fail(w, err)
		return
	}
	// Ids only: the token is a capability and is never logged, and there is no address here.
	u.log.Info("worker unsubscribed", "worker", s.WorkerID, "requester", s.RequesterID)
	u.render(w, http.StatusOK, pageData{View: "done", WorkerID: s.WorkerID, RequesterName: s.RequesterName,
		Since: s.OptedOutAt.Format("2 January 2006")})
}

func (u unsubscribePages) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, turkmail.ErrNotFound) {
		u.log.Debug("unsubscribe link refused")
		u.render(w, http.StatusNotFound, pageData{View: "invalid"})
		return
	}
	u.log.Error("unsubscribe failed", "error", err)
	u.render(w, http.StatusInternalServerError, pageData{View: "error"})
}

func (u unsubscribePages) render(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The token is in the URL: no caching, no Referer to whatever the worker opens next,
	// no framing (clickjacking the button), and nothing on the page but its own form.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	if err := u.tmpl.Execute(w, d); err != nil {
		u.log.Warn("unsubscribe page: writing the response failed", "error", err)
	}
}

// unsubscribeHTML is the pages' one template; a parse error is a bug that every test of the
// routes catches.
const unsubscribeHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if eq .View "confirm"}}Unsubscribe{{else if eq .View "done"}}Unsubscribed{{else if eq .View "invalid"}}Link not valid{{else}}Something went wrong{{end}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1.2rem}</style>
</head>
<body>
{{- if eq .View "confirm"}}
<h1>Stop emails from {{.RequesterName}}?</h1>
<p>You receive these emails as worker {{.WorkerID}} because you did work for {{.RequesterName}}.
Unsubscribing stops every email from {{.RequesterName}}; emails from other requesters are not affected.</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
{{- else if eq .View "done"}}
<h1>You are unsubscribed</h1>
<p>Worker {{.WorkerID}} receives no more email from {{.RequesterName}} (since {{.Since}}).
Emails from them not yet sent are cancelled.</p>
{{- else if eq .View "invalid"}}
<h1>This link is not valid</h1>
<p>Check that the whole link from the email was opened.</p>
{{- else}}
<h1>Something went wrong</h1>
<p>Nothing was changed. Please try again in a few minutes.</p>
{{- end}}
</body>
</html>
`
