// Command kube-apiserver starts a real Kubernetes API server (k8s.io/kubernetes, the version pinned
// in go.mod) backed by an etcd embedded in the same process, both on loopback, writes a kubeconfig
// for it and prints one line `ready <kubeconfig path>` on stdout. It stops, removing its temporary
// files, when stdin closes or on SIGINT / SIGTERM.
//
// Upstream entry points (signatures checked with `go doc` at the pinned versions):
//   - k8s.io/kubernetes/cmd/kube-apiserver/app/testing.StartTestServer: certificates, a
//     service-account key, a loopback listener on a free port, waits for /healthz and the default
//     namespace; returns the loopback client config (bearer token + CA).
//   - go.etcd.io/etcd/server/v3/embed: StartEtcd, then Server.ReadyNotify.
//   - k8s.io/apiserver/pkg/storage/storagebackend.NewDefaultConfig, as the Kubernetes integration
//     framework does (test/integration/framework/etcd.go).
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	apiservertesting "k8s.io/kubernetes/cmd/kube-apiserver/app/testing"
)

func main() {
	// Our own flag set: flag.CommandLine carries klog's flags, registered by the test helpers.
	flags := flag.NewFlagSet("kube-apiserver", flag.ExitOnError)
	kubeconfig := flags.String("kubeconfig", "", "where to write the kubeconfig (required)")
	verbosity := flags.String("v", "0", "klog verbosity of the API server (the test helpers default to 5)")
	flags.Parse(os.Args[1:])
	if v := flag.CommandLine.Lookup("v"); v != nil {
		v.Value.Set(*verbosity)
	}
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "kube-apiserver: --kubeconfig FILE is required")
		os.Exit(2)
	}
	tb := newProcessTB()
	code := run(tb, *kubeconfig)
	tb.runCleanups()
	os.Exit(code)
}

func run(tb *processTB, kubeconfig string) int {
	dataDir, err := os.MkdirTemp("", "upstream-etcd-")
	if err != nil {
		return fail(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dataDir) })

	etcd, etcdURL, err := startEtcd(dataDir)
	if err != nil {
		return fail(fmt.Errorf("embedded etcd: %w", err))
	}
	tb.Cleanup(etcd.Close)

	storage := storagebackend.NewDefaultConfig("/registry", nil)
	storage.Transport.ServerList = []string{etcdURL}
	server, err := apiservertesting.StartTestServer(tb, nil, nil, storage)
	if err != nil {
		return fail(fmt.Errorf("kube-apiserver: %w", err))
	}
	tb.Cleanup(server.TearDownFn)

	if err := writeKubeconfig(server.ClientConfig, kubeconfig); err != nil {
		return fail(fmt.Errorf("kubeconfig %s: %w", kubeconfig, err))
	}
	tb.Cleanup(func() { os.Remove(kubeconfig) })
	fmt.Printf("ready %s\n", kubeconfig)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	stdinClosed := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stdinClosed) }()
	select {
	case <-stop:
	case <-stdinClosed:
	case err := <-etcd.Err():
		return fail(fmt.Errorf("embedded etcd stopped: %w", err))
	}
	return 0
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, err)
	return 1
}

// startEtcd starts a one-member etcd on two free loopback ports and waits until it serves.
func startEtcd(dir string) (*embed.Etcd, string, error) {
	clientURL, err := freeLoopbackURL()
	if err != nil {
		return nil, "", err
	}
	peerURL, err := freeLoopbackURL()
	if err != nil {
		return nil, "", err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	cfg.UnsafeNoFsync = true
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, clientURL.String(), nil
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, "", fmt.Errorf("not ready after 60s")
	}
}

func freeLoopbackURL() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return &url.URL{Scheme: "http", Host: l.Addr().String()}, nil
}

// writeKubeconfig writes the loopback client config (bearer token, CA and the server name its
// certificate carries) as a one-context kubeconfig, through a temporary file and a rename.
func writeKubeconfig(c *rest.Config, path string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["upstream"] = &clientcmdapi.Cluster{
		Server:                   c.Host,
		CertificateAuthorityData: c.TLSClientConfig.CAData,
		TLSServerName:            c.TLSClientConfig.ServerName,
	}
	cfg.AuthInfos["upstream"] = &clientcmdapi.AuthInfo{Token: c.BearerToken}
	cfg.Contexts["upstream"] = &clientcmdapi.Context{Cluster: "upstream", AuthInfo: "upstream"}
	cfg.CurrentContext = "upstream"
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := clientcmd.WriteToFile(*cfg, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// processTB is the ktesting.TB the test server asks for, outside a `go test` binary: cleanups run
// in reverse order at shutdown, failures are logged (the caller sees StartTestServer's error).
type processTB struct {
	mu       sync.Mutex
	cleanups []func()
	failed   bool
}

func newProcessTB() *processTB { return &processTB{} }

func (t *processTB) runCleanups() {
	t.mu.Lock()
	cs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

func (t *processTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}
func (t *processTB) Error(args ...any)                 { t.Log(args...); t.Fail() }
func (t *processTB) Errorf(format string, args ...any) { t.Logf(format, args...); t.Fail() }
func (t *processTB) Fail()                             { t.mu.Lock(); t.failed = true; t.mu.Unlock() }
func (t *processTB) FailNow()                          { t.Fail(); t.runCleanups(); os.Exit(1) }
func (t *processTB) Failed() bool                      { t.mu.Lock(); defer t.mu.Unlock(); return t.failed }
func (t *processTB) Fatal(args ...any)                 { t.Log(args...); t.FailNow() }
func (t *processTB) Fatalf(format string, args ...any) { t.Logf(format, args...); t.FailNow() }
func (t *processTB) Helper()                           {}
func (t *processTB) Log(args ...any)                   { fmt.Fprintln(os.Stderr, args...) }
func (t *processTB) Logf(format string, args ...any)   { fmt.Fprintf(os.Stderr, format+"\n", args...) }
func (t *processTB) Name() string                      { return "kube-apiserver" }
func (t *processTB) Setenv(key, value string)          { os.Setenv(key, value) }
func (t *processTB) Skip(args ...any)                  { t.Log(args...); t.SkipNow() }
func (t *processTB) SkipNow()                          { t.FailNow() }
func (t *processTB) Skipf(format string, args ...any)  { t.Logf(format, args...); t.SkipNow() }
func (t *processTB) Skipped() bool                     { return false }
func (t *processTB) TempDir() string {
	dir, err := os.MkdirTemp("", "upstream-apiserver-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
