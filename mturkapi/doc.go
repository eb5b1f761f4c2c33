// Package mturkapi is turkmail's MTurk Requester API endpoint: AWS JSON 1.1 over POST /,
// the operation named by X-Amz-Target and dispatched through one operation table, SigV4
// verified, errors in MTurk's shape. One file per operation; the codec and the error table
// are shared by all of them.
package mturkapi
