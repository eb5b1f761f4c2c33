package smtptest

import (
	"net"
	"sync"
)

// connCounter counts connections accepted and the most open at the same time, which is
// how a test sees whether a client reuses its connections and respects its pool size.
type connCounter struct {
	mu       sync.Mutex
	accepted int
	peak     int
	open     map[*countedConn]struct{}
}

func (c *connCounter) opened(conn *countedConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[*countedConn]struct{}{}
	}
	c.accepted++
	c.open[conn] = struct{}{}
	c.peak = max(c.peak, len(c.open))
}

func (c *connCounter) closed(conn *countedConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.open, conn)
}

// dropAll closes every open connection, as a relay restarting or timing out idle
// clients would.
func (c *connCounter) dropAll() {
	c.mu.Lock()
	conns := make([]*countedConn, 0, len(c.open))
	for conn := range c.open {
		conns = append(conns, conn)
	}
	c.mu.Unlock()
	for _, conn := range conns {
		_ = conn.Close()
	}
}

func (c *connCounter) snapshot() (accepted, open, peak int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accepted, len(c.open), c.peak
}

type countingListener struct {
	net.Listener
	counter *connCounter
}

func (l countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cc := &countedConn{Conn: conn, counter: l.counter}
	l.counter.opened(cc)
	return cc, nil
}

type countedConn struct {
	net.Conn
	counter *connCounter
	once    sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.counter.closed(c) })
	return c.Conn.Close()
}
