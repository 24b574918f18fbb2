// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel services of kshim.h. Kept small; each says which kernel
 * behaviour it keeps, where that is not obvious.
 */
#include <sys/random.h>
#include <sys/uio.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "kshim.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KSHIM_SLAB_MALLOC 1	/* one malloc per object: the sanitizers see each */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define KSHIM_SLAB_MALLOC 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define KSHIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KSHIM_ASAN 1
#endif
#endif

#ifdef KSHIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

_Atomic unsigned long kshim_resched_calls;
void (*kshim_resched_hook)(void);

/* ---- logging and warnings ---- */

static _Atomic unsigned long warnings;
static _Atomic unsigned int warn_expected;
static bool quiet_log = true;

void kshim_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (quiet_log && level > 3)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "kernel: <%d> ", level);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void kshim_expect_warn(unsigned int n)
{
	atomic_store(&warn_expected, n);
}

unsigned long kshim_warnings(void)
{
	return atomic_load(&warnings);
}

void kshim_warn(const char *file, int line, const char *cond)
{
	unsigned int left = atomic_load(&warn_expected);

	atomic_fetch_add(&warnings, 1);
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
	while (left) {
		if (atomic_compare_exchange_weak(&warn_expected, &left, left - 1))
			return;
	}
	fprintf(stderr, "kshim: unexpected warning: aborting\n");
	abort();
}

void kshim_refcount_warn(refcount_t *r, const char *what)
{
	atomic_set(&r->refs, REFCOUNT_SATURATED);
	kshim_warn(__FILE__, __LINE__, what);
}

/* ---- module parameters ---- */

int param_set_uint_minmax(const char *val, const struct kernel_param *kp,
			  unsigned int min, unsigned int max)
{
	unsigned long long v;
	char *end;

	if (!val || !*val)
		return -EINVAL;
	errno = 0;
	v = strtoull(val, &end, 0);
	if (*end == '\n')
		end++;
	if (*end || val[0] == '-')
		return -EINVAL;
	if (errno == ERANGE || v > UINT_MAX)
		return -ERANGE;
	if (v < min || v > max)
		return -EINVAL;
	*(unsigned int *)kp->arg = v;
	return 0;
}

int param_get_uint(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%u\n", *(unsigned int *)kp->arg);
}

/* ---- tasks, time, randomness ---- */

static __thread struct task_struct task;
static __thread bool task_ready;

struct task_struct *kshim_current(void)
{
	if (!task_ready) {
		task.tgid = getpid();
		task.uid = 1000;
		strcpy(task.comm, "userland");
		task_ready = true;
	}
	return &task;
}

u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

unsigned long totalram_pages(void)
{
	return (8ul << 30) >> PAGE_SHIFT;	/* an 8 GiB machine */
}

/* Deterministic, so that a fuzzer's run replays: splitmix64. */
void get_random_bytes(void *buf, size_t len)
{
	static _Atomic u64 state = 0x2545f4914f6cdd1dull;
	u8 *p = buf;

	while (len) {
		u64 z = atomic_fetch_add(&state, 0x9e3779b97f4a7c15ull) +
			0x9e3779b97f4a7c15ull;
		size_t n = len < 8 ? len : 8;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(p, &z, n);
		p += n;
		len -= n;
	}
}

/* SipHash-2-4 of one 64-bit word (lib/siphash.c's siphash_1u64()). */
#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND							\
	do {								\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

u64 siphash_1u64(u64 first, const siphash_key_t *key)
{
	u64 v0 = 0x736f6d6570736575ull ^ key->key[0];
	u64 v1 = 0x646f72616e646f6dull ^ key->key[1];
	u64 v2 = 0x6c7967656e657261ull ^ key->key[0];
	u64 v3 = 0x7465646279746573ull ^ key->key[1];
	u64 b = 8ull << 56;

	v3 ^= first;
	SIPROUND;
	SIPROUND;
	v0 ^= first;
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1) ^ (v2 ^ v3);
}

/* ---- locks ---- */

void mutex_init(struct mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
	atomic_store(&m->locked, false);
}

void mutex_destroy(struct mutex *m)
{
	BUG_ON(atomic_load(&m->locked));
	pthread_mutex_destroy(&m->m);
}

/*
 * Under the pthread mutex, so relaxed: the mutex orders them, and
 * mutex_is_locked() is a hint, as the kernel's. The uncontended kernel
 * mutex costs one atomic instruction each way; sequentially consistent
 * stores here would add two fences to every heap call the benchmark times.
 */
static void mutex_acquired(struct mutex *m)
{
	atomic_store_explicit(&m->owner, pthread_self(), memory_order_relaxed);
	atomic_store_explicit(&m->locked, true, memory_order_relaxed);
}

/* The debug kernel's checks (CONFIG_DEBUG_MUTEXES) in the sanitized builds. */
#ifdef CONFIG_LOCKDEP
#define MUTEX_CHECK(cond)	BUG_ON(cond)
#else
#define MUTEX_CHECK(cond)	do { } while (0)
#endif

void mutex_lock(struct mutex *m)
{
	/* A recursive lock is a deadlock in the kernel: say so here. */
	MUTEX_CHECK(kshim_mutex_held(m));
	pthread_mutex_lock(&m->m);
	mutex_acquired(m);
}

int mutex_trylock(struct mutex *m)
{
	if (pthread_mutex_trylock(&m->m))
		return 0;
	mutex_acquired(m);
	return 1;
}

void mutex_unlock(struct mutex *m)
{
	MUTEX_CHECK(!kshim_mutex_held(m));
	atomic_store_explicit(&m->locked, false, memory_order_relaxed);
	pthread_mutex_unlock(&m->m);
}

/* Sleeps in 1 ms steps, giving up when the task is told to die. */
static int mutex_lock_signal(struct mutex *m)
{
	MUTEX_CHECK(kshim_mutex_held(m));
	while (!mutex_trylock(m)) {
		struct timespec ts;

		if (fatal_signal_pending(current))
			return -EINTR;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (!pthread_mutex_timedlock(&m->m, &ts)) {
			mutex_acquired(m);
			return 0;
		}
	}
	return 0;
}

int mutex_lock_killable(struct mutex *m)
{
	return mutex_lock_signal(m);
}

int mutex_lock_interruptible(struct mutex *m)
{
	return mutex_lock_signal(m);
}

bool kshim_mutex_held(struct mutex *m)
{
	return atomic_load(&m->locked) &&
	       pthread_equal(atomic_load(&m->owner), pthread_self());
}

/* ---- wait queues ---- */

void init_waitqueue_head(wait_queue_head_t *wq)
{
	pthread_mutex_init(&wq->m, NULL);
	pthread_cond_init(&wq->c, NULL);
	atomic_store(&wq->sleepers, 0);
}

void wake_up(wait_queue_head_t *wq)
{
	pthread_mutex_lock(&wq->m);
	pthread_cond_broadcast(&wq->c);
	pthread_mutex_unlock(&wq->m);
}

/*
 * prepare_to_wait(): the waiter is on the queue (counted, and holding the
 * queue's lock) before it tests the condition, so no wake_up() is lost.
 */
int kshim_wait_begin(wait_queue_head_t *wq)
{
	atomic_fetch_add(&wq->sleepers, 1);
	pthread_mutex_lock(&wq->m);
	return 0;
}

int kshim_wait_sleep(wait_queue_head_t *wq, unsigned long ms, bool killable)
{
	struct timespec ts;
	u64 ns;

	if (killable && fatal_signal_pending(current))
		return -ERESTARTSYS;
	/* Wake at least every 10 ms to see a test's "signal". */
	ns = (ms && ms < 10 ? ms : 10) * 1000000ull;
	clock_gettime(CLOCK_REALTIME, &ts);
	ns += ts.tv_nsec;
	ts.tv_sec += ns / 1000000000ull;
	ts.tv_nsec = ns % 1000000000ull;
	if (pthread_cond_timedwait(&wq->c, &wq->m, &ts) == ETIMEDOUT && ms)
		return 0;
	if (killable && fatal_signal_pending(current))
		return -ERESTARTSYS;
	return 1;
}

void kshim_wait_end(wait_queue_head_t *wq)
{
	pthread_mutex_unlock(&wq->m);
	atomic_fetch_sub(&wq->sleepers, 1);
}

/* ---- allocation ---- */

static _Atomic long fail_after;
static _Atomic unsigned long nallocs;
static _Atomic long live_allocs;

void kshim_fail_alloc_after(unsigned long n)
{
	atomic_store(&fail_after, (long)n);
}

unsigned long kshim_allocs(void)
{
	return atomic_load(&nallocs);
}

long kshim_live_allocs(void)
{
	return atomic_load(&live_allocs);
}

/* Should this allocation fail (a test's injected ENOMEM)? */
static bool alloc_fails(void)
{
	long n = atomic_load(&fail_after);

	atomic_fetch_add(&nallocs, 1);
	while (n > 0) {
		if (atomic_compare_exchange_weak(&fail_after, &n, n - 1))
			return n == 1;
	}
	return false;
}

/* SLUB's kmalloc caches on x86-64. */
size_t kmalloc_size_roundup(size_t size)
{
	static const size_t sizes[] = {
		8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (size <= sizes[i])
			return sizes[i];
	return PAGE_SIZE << get_order(size);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (alloc_fails())
		return NULL;
	p = malloc(size ? size : 1);
	if (!p)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
	atomic_fetch_add(&live_allocs, 1);
	return p;
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void kfree(const void *p)
{
	if (!p)
		return;
	atomic_fetch_sub(&live_allocs, 1);
	free((void *)p);
}

void *kvmalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp);
}

void kvfree(const void *p)
{
	kfree(p);
}

/*
 * A cache: objects of one size. Unsanitized builds carve them from 64 KiB
 * slabs and keep freed ones on a LIFO list, as SLUB's fast path does, so
 * that the benchmarks pay what a slab costs rather than what malloc() does;
 * sanitized builds malloc() each, so that every overflow and use after
 * free is seen.
 */
struct kmem_cache {
	char name[32];
	unsigned int size;
	unsigned int align;
	_Atomic long live;
	pthread_mutex_t lock;
	void *free;		/* singly linked through the first word */
	void **slabs;		/* to free them all at destroy */
	unsigned int nslabs;
	unsigned int capslabs;
};

#define SLAB_BYTES	(64 * 1024)

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s;

	if (alloc_fails())
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (align < sizeof(void *))
		align = sizeof(void *);
	s->align = align;
	s->size = (size + align - 1) / align * align;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned int i;

	if (!s)
		return;
	/* mm/slab_common.c: "Objects remaining ... on kmem_cache_close()" */
	if (atomic_load(&s->live))
		kshim_warn(__FILE__, __LINE__, "kmem_cache_destroy of a cache with live objects");
	for (i = 0; i < s->nslabs; i++)
		free(s->slabs[i]);
	free(s->slabs);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s->size;
}

#ifndef KSHIM_SLAB_MALLOC
/* A new slab's objects onto the free list; the lock is held. */
static bool slab_grow(struct kmem_cache *s)
{
	unsigned int n = SLAB_BYTES / s->size, i;
	char *slab;

	if (s->nslabs == s->capslabs) {
		unsigned int cap = s->capslabs ? 2 * s->capslabs : 16;
		void **slabs = realloc(s->slabs, cap * sizeof(*slabs));

		if (!slabs)
			return false;
		s->slabs = slabs;
		s->capslabs = cap;
	}
	slab = aligned_alloc(64, SLAB_BYTES);
	if (!slab)
		return false;
	s->slabs[s->nslabs++] = slab;
	for (i = n; i-- > 0;) {
		void *obj = slab + (size_t)i * s->size;

		*(void **)obj = s->free;
		s->free = obj;
	}
	return true;
}
#endif

static void *cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *obj;

	if (alloc_fails())
		return NULL;
#ifdef KSHIM_SLAB_MALLOC
	obj = aligned_alloc(s->align, s->size);
	if (!obj)
		return NULL;
#else
	pthread_mutex_lock(&s->lock);
	if (!s->free && !slab_grow(s)) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	obj = s->free;
	s->free = *(void **)obj;
	pthread_mutex_unlock(&s->lock);
#endif
	atomic_fetch_add_explicit(&s->live, 1, memory_order_relaxed);
	if (gfp & __GFP_ZERO)
		memset(obj, 0, s->size);
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return cache_alloc(s, gfp);
}

void *kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru,
			   gfp_t gfp)
{
	return cache_alloc(s, gfp);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	kmem_cache_free_bulk(s, 1, &obj);
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t n, void **p)
{
	size_t i;

	atomic_fetch_sub_explicit(&s->live, (long)n, memory_order_relaxed);
#ifdef KSHIM_SLAB_MALLOC
	for (i = 0; i < n; i++)
		free(p[i]);
#else
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++) {
		*(void **)p[i] = s->free;
		s->free = p[i];
	}
	pthread_mutex_unlock(&s->lock);
#endif
}

/*
 * KASAN's poisoning of freelisted objects (pool.c, CONFIG_KASAN_GENERIC),
 * as ASan's: a shadow value of 0 makes the memory usable again.
 */
void kasan_poison(const void *addr, size_t size, u8 value, bool init)
{
#ifdef KSHIM_ASAN
	if (value)
		ASAN_POISON_MEMORY_REGION(addr, size);
	else
		ASAN_UNPOISON_MEMORY_REGION(addr, size);
#endif
}

/* ---- user memory ---- */

#define USER_FLOOR	(64 * 1024)	/* mmap_min_addr: always faults */
#define USER_TOP	0x7ffffffff000ul
#define MAX_BLOCKS	8

static struct {
	uintptr_t start, end;
	bool read_ok;
} blocks[MAX_BLOCKS];
static unsigned int nblocks;
static _Atomic long pinned_pages;

void kshim_uaccess_block(const void *addr, size_t len, bool read_ok)
{
	BUG_ON(nblocks == MAX_BLOCKS);
	blocks[nblocks].start = (uintptr_t)addr;
	blocks[nblocks].end = (uintptr_t)addr + len;
	blocks[nblocks].read_ok = read_ok;
	nblocks++;
}

void kshim_uaccess_clear(void)
{
	nblocks = 0;
}

/* How many bytes from @addr on can be accessed, up to @n. */
static unsigned long user_ok(uintptr_t addr, unsigned long n, bool write)
{
	uintptr_t end, stop;
	unsigned int i;

	if (addr < USER_FLOOR || addr >= USER_TOP)
		return 0;
	if (__builtin_add_overflow(addr, n, &end) || end > USER_TOP)
		end = USER_TOP;
	stop = end;
	for (i = 0; i < nblocks; i++) {
		if (!write && blocks[i].read_ok)
			continue;
		if (blocks[i].start < stop && blocks[i].end > addr)
			stop = blocks[i].start > addr ? blocks[i].start : addr;
	}
	return stop - addr;
}

bool access_ok(const void __user *addr, unsigned long size)
{
	uintptr_t end;

	return !__builtin_add_overflow((uintptr_t)addr, size, &end) &&
	       end <= USER_TOP;
}

/* As the kernel's: copies what it can, zeroes the rest, returns the rest. */
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long ok = user_ok((uintptr_t)from, n, false);

	if (ok)
		memcpy(to, from, ok);
	if (n - ok)
		memset((char *)to + ok, 0, n - ok);
	return n - ok;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	unsigned long ok = user_ok((uintptr_t)to, n, true);

	if (ok)
		memcpy(to, from, ok);
	return n - ok;
}

int copy_struct_from_user(void *dst, size_t ksize, const void __user *src,
			  size_t usize)
{
	size_t size = ksize < usize ? ksize : usize;
	size_t rest = (ksize > usize ? ksize : usize) - size;

	if (usize < ksize) {
		memset((char *)dst + size, 0, rest);
	} else if (usize > ksize) {
		const u8 *p = (const u8 *)src + size;
		size_t i;

		if (user_ok((uintptr_t)p, rest, false) != rest)
			return -EFAULT;
		for (i = 0; i < rest; i++)
			if (p[i])
				return -E2BIG;
	}
	return copy_from_user(dst, src, size) ? -EFAULT : 0;
}

int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	int i;

	for (i = 0; i < nr_pages; i++) {
		unsigned long page = start + (unsigned long)i * PAGE_SIZE;

		if (user_ok(page, PAGE_SIZE, gup_flags & FOLL_WRITE) != PAGE_SIZE)
			break;
		pages[i] = (struct page *)page;
	}
	atomic_fetch_add(&pinned_pages, i);
	return i ? i : -EFAULT;
}

void unpin_user_pages(struct page **pages, unsigned long npages)
{
	atomic_fetch_sub(&pinned_pages, (long)npages);
}

void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages,
				 bool make_dirty)
{
	unpin_user_pages(pages, npages);
}

long kshim_pinned_pages(void)
{
	return atomic_load(&pinned_pages);
}

void kshim_iov_iter(struct iov_iter *i, const struct iovec *iov,
		    unsigned long nr_segs)
{
	unsigned long s;

	i->iov = iov;
	i->nr_segs = nr_segs;
	i->iov_offset = 0;
	i->count = 0;
	for (s = 0; s < nr_segs; s++)
		i->count += iov[s].iov_len;
}

size_t copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i)
{
	size_t done = 0;

	while (done < bytes && i->nr_segs) {
		size_t room = i->iov->iov_len - i->iov_offset;
		size_t n = bytes - done < room ? bytes - done : room;
		unsigned long left;

		left = copy_to_user((char *)i->iov->iov_base + i->iov_offset,
				    (const char *)addr + done, n);
		done += n - left;
		i->iov_offset += n - left;
		i->count -= n - left;
		if (left)
			break;
		if (i->iov_offset == i->iov->iov_len) {
			i->iov++;
			i->nr_segs--;
			i->iov_offset = 0;
		}
	}
	return done;
}

/* ---- red-black tree: kept ordered, not balanced ---- */

static void rb_set_parent(struct rb_node *n, struct rb_node *p)
{
	n->__rb_parent_color = (unsigned long)p;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
}

/* Replace @old by @new (or NULL) in @old's parent. */
static void rb_replace_child(struct rb_node *old, struct rb_node *new,
			     struct rb_root *root)
{
	struct rb_node *p = rb_parent(old);

	if (!p)
		root->rb_node = new;
	else if (p->rb_left == old)
		p->rb_left = new;
	else
		p->rb_right = new;
	if (new)
		rb_set_parent(new, p);
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *succ;

	if (!node->rb_left) {
		rb_replace_child(node, node->rb_right, root);
	} else if (!node->rb_right) {
		rb_replace_child(node, node->rb_left, root);
	} else {
		succ = node->rb_right;
		while (succ->rb_left)
			succ = succ->rb_left;
		if (rb_parent(succ) != node) {
			rb_replace_child(succ, succ->rb_right, root);
			succ->rb_right = node->rb_right;
			rb_set_parent(succ->rb_right, succ);
		}
		rb_replace_child(node, succ, root);
		succ->rb_left = node->rb_left;
		rb_set_parent(succ->rb_left, succ);
	}
	/* RB_CLEAR_NODE() is the caller's; poison as a freed node would be. */
	node->rb_left = node->rb_right = LIST_POISON1;
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *p;

	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	while ((p = rb_parent(node)) && node == p->rb_right)
		node = p;
	return p;
}

/* ---- workqueues ---- */

struct workqueue_struct {
	pthread_mutex_t lock;
	pthread_cond_t more;		/* work queued, or stop */
	pthread_cond_t done;		/* a work item finished */
	struct work_struct *head, *tail;
	unsigned int queued;
	bool stop;
	bool threaded;
	pthread_t thread;
};

bool kshim_wq_manual;
static struct workqueue_struct *manual_wq;

/* Take the first item off the queue and mark it running; lock held. */
static struct work_struct *wq_pop(struct workqueue_struct *wq)
{
	struct work_struct *w = wq->head;

	if (!w)
		return NULL;
	wq->head = w->next;
	if (!wq->head)
		wq->tail = NULL;
	wq->queued--;
	w->pending = false;
	w->running = true;
	return w;
}

static void wq_run_one(struct workqueue_struct *wq, struct work_struct *w)
{
	pthread_mutex_unlock(&wq->lock);
	w->func(w);
	pthread_mutex_lock(&wq->lock);
	w->running = false;
	pthread_cond_broadcast(&wq->done);
}

static void *wq_thread(void *arg)
{
	struct workqueue_struct *wq = arg;
	struct work_struct *w;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		while (!wq->head && !wq->stop)
			pthread_cond_wait(&wq->more, &wq->lock);
		if (!wq->head)
			break;
		w = wq_pop(wq);
		wq_run_one(wq, w);
	}
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...)
{
	struct workqueue_struct *wq;

	if (alloc_fails())
		return NULL;
	wq = calloc(1, sizeof(*wq));
	if (!wq)
		return NULL;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->more, NULL);
	pthread_cond_init(&wq->done, NULL);
	if (kshim_wq_manual) {
		manual_wq = wq;
	} else {
		if (pthread_create(&wq->thread, NULL, wq_thread, wq)) {
			free(wq);
			return NULL;
		}
		wq->threaded = true;
	}
	return wq;
}

/* As the kernel's: drains what is queued, then goes. */
void destroy_workqueue(struct workqueue_struct *wq)
{
	pthread_mutex_lock(&wq->lock);
	wq->stop = true;
	pthread_cond_broadcast(&wq->more);
	pthread_mutex_unlock(&wq->lock);
	if (wq->threaded)
		pthread_join(wq->thread, NULL);
	else
		kshim_wq_run();
	if (wq == manual_wq)
		manual_wq = NULL;
	pthread_cond_destroy(&wq->more);
	pthread_cond_destroy(&wq->done);
	pthread_mutex_destroy(&wq->lock);
	free(wq);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	bool queued = false;

	pthread_mutex_lock(&wq->lock);
	if (!work->pending) {
		work->pending = true;
		work->wq = wq;
		work->next = NULL;
		if (wq->tail)
			wq->tail->next = work;
		else
			wq->head = work;
		wq->tail = work;
		wq->queued++;
		pthread_cond_signal(&wq->more);
		queued = true;
	}
	pthread_mutex_unlock(&wq->lock);
	return queued;
}

bool cancel_work_sync(struct work_struct *work)
{
	struct workqueue_struct *wq = work->wq;
	struct work_struct **pp;
	bool was_pending = false;

	if (!wq)
		return false;
	pthread_mutex_lock(&wq->lock);
	if (work->pending) {
		for (pp = &wq->head; *pp != work; pp = &(*pp)->next)
			;
		*pp = work->next;
		if (wq->tail == work) {
			struct work_struct *t = wq->head;

			while (t && t->next)
				t = t->next;
			wq->tail = t;
		}
		wq->queued--;
		work->pending = false;
		was_pending = true;
	}
	while (work->running)
		pthread_cond_wait(&wq->done, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
	return was_pending;
}

unsigned int kshim_wq_run(void)
{
	struct workqueue_struct *wq = manual_wq;
	struct work_struct *w;
	unsigned int n = 0;

	if (!wq)
		return 0;
	pthread_mutex_lock(&wq->lock);
	while ((w = wq_pop(wq))) {
		wq_run_one(wq, w);
		n++;
	}
	pthread_mutex_unlock(&wq->lock);
	return n;
}

unsigned int kshim_wq_pending(void)
{
	struct workqueue_struct *wq = manual_wq;
	unsigned int n;

	if (!wq)
		return 0;
	pthread_mutex_lock(&wq->lock);
	n = wq->queued;
	pthread_mutex_unlock(&wq->lock);
	return n;
}

/* ---- shrinkers and list_lru ---- */

static struct shrinker *registered;
static struct shrinker *allocated;

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	if (alloc_fails())
		return NULL;
	allocated = calloc(1, sizeof(*allocated));
	if (allocated)
		allocated->flags = flags;
	return allocated;
}

void shrinker_register(struct shrinker *s)
{
	registered = s;
}

void shrinker_free(struct shrinker *s)
{
	if (registered == s)
		registered = NULL;
	if (allocated == s)
		allocated = NULL;
	free(s);
}

int register_shrinker(struct shrinker *s, const char *fmt, ...)
{
	registered = s;
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	registered = NULL;
}

unsigned long kshim_shrink_count(void)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };

	return registered ? registered->count_objects(registered, &sc) : 0;
}

unsigned long kshim_shrink_scan(unsigned long nr)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = nr };

	return registered ? registered->scan_objects(registered, &sc) : 0;
}

int list_lru_init_memcg(struct list_lru *lru, struct shrinker *s)
{
	if (alloc_fails())
		return -ENOMEM;
	spin_lock_init(&lru->lock);
	INIT_LIST_HEAD(&lru->one.list);
	lru->one.nr_items = 0;
	lru->ready = true;
	return 0;
}

void list_lru_destroy(struct list_lru *lru)
{
	if (!lru->ready)
		return;
	if (lru->one.nr_items)
		kshim_warn(__FILE__, __LINE__, "list_lru_destroy of a list with items");
	mutex_destroy(&lru->lock);
	lru->ready = false;
}

/* list_lru_add_obj(): false if @item is on a list already. */
bool list_lru_add_obj(struct list_lru *lru, struct list_head *item)
{
	bool added = false;

	spin_lock(&lru->lock);
	if (list_empty(item)) {
		list_add_tail(item, &lru->one.list);
		WRITE_ONCE(lru->one.nr_items, lru->one.nr_items + 1);
		added = true;
	}
	spin_unlock(&lru->lock);
	return added;
}

bool list_lru_del_obj(struct list_lru *lru, struct list_head *item)
{
	bool deleted = false;

	spin_lock(&lru->lock);
	if (!list_empty(item)) {
		list_del_init(item);
		WRITE_ONCE(lru->one.nr_items, lru->one.nr_items - 1);
		deleted = true;
	}
	spin_unlock(&lru->lock);
	return deleted;
}

unsigned long list_lru_count_one(struct list_lru *lru, int nid,
				 struct mem_cgroup *memcg)
{
	return READ_ONCE(lru->one.nr_items);
}

/*
 * mm/list_lru.c's __list_lru_walk_one(): under the list's spinlock, each
 * visit costs one of *nr_to_walk, and a rotated item goes to the tail,
 * where the walk meets it again. The kernel's soft-lockup watchdog is
 * played by a bound on the visits of one walk.
 */
#define WALK_LOCKUP	(1ul << 24)

unsigned long list_lru_walk_one(struct list_lru *lru, int nid,
				struct mem_cgroup *memcg, list_lru_walk_cb isolate,
				void *cb_arg, unsigned long *nr_to_walk)
{
	struct list_lru_one *l = &lru->one;
	struct list_head *item, *n;
	unsigned long isolated = 0, visits = 0;

	spin_lock(&lru->lock);
restart:
	list_for_each_safe(item, n, &l->list) {
		enum lru_status ret;

		if (!*nr_to_walk)
			break;
		--*nr_to_walk;
		if (++visits == WALK_LOCKUP)
			kshim_warn(__FILE__, __LINE__,
				   "soft lockup: a list_lru walk under its spinlock never ends");
		ret = isolate(item, l, &lru->lock, cb_arg);
		switch (ret) {
		case LRU_REMOVED_RETRY:
		case LRU_REMOVED:
			isolated++;
			WRITE_ONCE(l->nr_items, l->nr_items - 1);
			if (ret == LRU_REMOVED_RETRY)
				goto restart;
			break;
		case LRU_ROTATE:
			list_move_tail(item, &l->list);
			break;
		case LRU_SKIP:
			break;
		case LRU_RETRY:
			goto restart;
		case LRU_STOP:
			goto out;
		}
	}
out:
	spin_unlock(&lru->lock);
	return isolated;
}
