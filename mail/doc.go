// Package mail turns an accepted notification into bytes on the wire: Compose renders one
// RFC 5322 message per worker, and the senders hand such a message to a mail system — the
// SMTP relay (SMTPSender, with a pool of reused connections) or the capture store
// (CaptureSender). Every sending failure is reported as a *turkmail.SendError whose text has
// had all email addresses removed, so it can be stored and shown to requesters.
package mail
