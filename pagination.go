package turkmail

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// Page asks a listing for at most Limit rows after a Cursor.
type Page struct {
	After Cursor
	Limit int
}

// Cursor is the sort key of the last row a client has seen. Listings sort by (At, ID), or by
// ID alone where there is no time (blocks). The zero Cursor means "from the start".
type Cursor struct {
	At time.Time
	ID string
}

// paginationPurpose is the HMAC key purpose of NextTokens.
const paginationPurpose = "pagination"

// DefaultMaxResults is how many rows a listing returns when MaxResults is not given.
const DefaultMaxResults = 10

// pageSize checks MaxResults (nil: the default) the way MTurk does: 1 to 100.
func pageSize(maxResults *int64) (int, error) {
	if maxResults == nil {
		return DefaultMaxResults, nil
	}
	if *maxResults < 1 || *maxResults > 100 {
		return 0, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "MaxResults must be between 1 and 100 (got %d).", *maxResults)
	}
	return int(*maxResults), nil
}

// listingBinding is what a NextToken is bound to: the requester and the listing with its
// filters. A token used for another requester or another listing is refused.
func listingBinding(requesterID, listing string) []byte {
	h := sha256.Sum256([]byte(requesterID + "\x00" + listing))
	return h[:8]
}

// openPage turns the request's NextToken and MaxResults into a Page. token is nil when the
// client gave none. A token that was altered, or made for another requester or listing, is
// a RequestError naming NextToken.
func (s *Service) openPage(ctx context.Context, requesterID, listing string, token *string, maxResults *int64) (Page, error) {
	limit, err := pageSize(maxResults)
	if err != nil {
		return Page{}, err
	}
	p := Page{Limit: limit}
	if token == nil {
		return p, nil
	}
	bad := Invalid("AWS.MechanicalTurk.InvalidParameterValue",
		"NextToken is not valid: pass back unchanged a NextToken from the previous page of this same listing.")
	if len(*token) == 0 || len(*token) > 255 {
		return Page{}, bad
	}
	raw, err := s.OpenToken(ctx, paginationPurpose, *token)
	if err != nil {
		if IsBadToken(err) {
			return Page{}, bad
		}
		return Page{}, Fault(err)
	}
	bind := listingBinding(requesterID, listing)
	if len(raw) < 16 || string(raw[:8]) != string(bind) {
		return Page{}, bad
	}
	if at := int64(binary.BigEndian.Uint64(raw[8:16])); at != 0 {
		p.After.At = time.UnixMilli(at).UTC()
	}
	p.After.ID = string(raw[16:])
	return p, nil
}

// fetchPage is Page asked of a store with one row more than the client wants: the extra row,
// if it comes, says there is a next page.
func (p Page) fetchPage() Page { return Page{After: p.After, Limit: p.Limit + 1} }

// finishPage trims rows fetched with p.fetchPage() to p's size and returns them with the
// NextToken for the rest (nil on the last page). cursor gives a row's sort key.
func finishPage[T any](ctx context.Context, s *Service, requesterID, listing string, p Page, rows []T, cursor func(T) Cursor) ([]T, *string, error) {
	more := len(rows) > p.Limit
	if more {
		rows = rows[:p.Limit]
	}
	var last Cursor
	if len(rows) > 0 {
		last = cursor(rows[len(rows)-1])
	}
	next, err := s.nextToken(ctx, requesterID, listing, more, last)
	return rows, next, err
}

// nextToken returns the token for the page after last, or nil when more is false.
func (s *Service) nextToken(ctx context.Context, requesterID, listing string, more bool, last Cursor) (*string, error) {
	if !more {
		return nil, nil
	}
	raw := make([]byte, 16, 16+len(last.ID))
	copy(raw, listingBinding(requesterID, listing))
	if !last.At.IsZero() {
		binary.BigEndian.PutUint64(raw[8:16], uint64(last.At.UnixMilli()))
	}
	raw = append(raw, last.ID...)
	tok, err := s.SignToken(ctx, paginationPurpose, raw)
	if err != nil {
		return nil, Fault(err)
	}
	return &tok, nil
}

// clock is the Service's now at the stored precision (milliseconds, UTC), so that what a
// call returns equals what a later read returns.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
