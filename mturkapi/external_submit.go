package mturkapi

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/turkmail/turkmail"
)

// ExternalSubmit serves POST /mturk/externalSubmit, the endpoint an ExternalQuestion's form
// posts to (as on MTurk): assignmentId names the assignment; every other field becomes one
// Answer of a QuestionFormAnswers document (a field given several times, such as checkboxes,
// has its values joined with "|"), and the assignment is submitted. Like MTurk's, it takes no
// credentials: the random 30-character assignment id is what a worker holds.
func ExternalSubmit(svc *turkmail.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "The form could not be read: send it as application/x-www-form-urlencoded, at most 1 MiB.", http.StatusBadRequest)
			return
		}
		id := r.PostForm.Get("assignmentId")
		if id == "" {
			id = r.URL.Query().Get("assignmentId")
		}
		if id == "" || id == "ASSIGNMENT_ID_NOT_AVAILABLE" {
			http.Error(w, "The form has no assignmentId: accept the HIT first, then submit.", http.StatusBadRequest)
			return
		}
		a, err := svc.SubmitAssignment(r.Context(), id, AnswerXML(r.PostForm))
		if err != nil {
			e := turkmail.AsError(err)
			if e.Code == turkmail.CodeServiceFault {
				log.Error("external submit failed", "assignment", id, "error", e.Err)
				http.Error(w, "The submission could not be recorded; try again.", http.StatusInternalServerError)
				return
			}
			http.Error(w, e.Message, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		var b strings.Builder
		b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Submitted</title></head>\n<body><h1>Submitted</h1><p>Your work on assignment ")
		xml.EscapeText(&b, []byte(a.ID))
		b.WriteString(" was submitted. You can close this page.</p></body></html>\n")
		w.Write([]byte(b.String()))
	})
}

// AnswerXML turns form fields (except assignmentId) into a QuestionFormAnswers document, one
// FreeText answer per field in name order, every value escaped.
func AnswerXML(form map[string][]string) string {
	names := make([]string, 0, len(form))
	for k := range form {
		if k != "assignmentId" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<QuestionFormAnswers xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd">`)
	for _, k := range names {
		b.WriteString("\n<Answer><QuestionIdentifier>")
		escape(&b, k)
		b.WriteString("</QuestionIdentifier><FreeText>")
		escape(&b, strings.Join(form[k], "|"))
		b.WriteString("</FreeText></Answer>")
	}
	b.WriteString("\n</QuestionFormAnswers>")
	return b.String()
}

// escape writes s as XML character data. Characters XML 1.0 cannot hold at all (most C0
// controls) become U+FFFD, which xml.EscapeText does too.
func escape(b *strings.Builder, s string) {
	if err := xml.EscapeText(b, []byte(s)); err != nil {
		panic(errors.Join(errors.New("escape into a strings.Builder cannot fail"), err))
	}
}
