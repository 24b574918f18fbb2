# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The mutants of the algorithms, shared by the VM's mutation testing
# (mutants.sh) and the userland harness's (tests/host/userland_test.sh).
# Sourced: sets all=(...) and mutate MUTANT DIR, which plants one mutant
# in DIR/module and fails if the sed no longer matches.
all=(subtract-refs-off-by-one no-rescue set-without-ref freelist-not-zeroed
     object-limit-off-by-one weak-callback-in-trash hold-not-closed
     finalized-twice weak-not-cleared referrers-miss-last-slot
     all-generations-with-frozen)
# mutate MUTANT DIR: the one change the mutant is.
mutate() {
	case "$1" in
	subtract-refs-off-by-one)	# the last slot's reference is not subtracted
		sed -i '/^static bool subtract_refs/,/^}/s/for (i = 0; i < nslots; i++)/for (i = 0; i + 1 < nslots; i++)/' \
			"$2/module/collect.c" ;;
	no-rescue)	# an object judged unreachable too early is not rescued
		sed -i '/^static void visit_reachable/,/^}/s/if (unlikely(state == OBJHEAP_OBJ_UNREACHABLE)) {/if (0) {/' \
			"$2/module/collect.c" ;;
	set-without-ref)	# SET stores the new reference without taking it
		sed -i '/^static int op_set/,/^}/{/^\tif (val)$/{N;s/\n\t\tobjheap_obj_get(val);/\n\t\t(void)val;/}}' \
			"$2/module/heap.c" ;;
	freelist-not-zeroed)	# an object from a freelist keeps its old payload
		sed -i 's/^\t\tmemset(objheap_obj_payload(obj), 0, size);$/\t\tif (class == OBJHEAP_CLASS_LARGE)\n\t\t\tmemset(objheap_obj_payload(obj), 0, size);/' \
			"$2/module/object.c" ;;
	object-limit-off-by-one)	# one object more than max_objects
		sed -i 's/heap->objects + 1 > heap->limits.max_objects/heap->objects > heap->limits.max_objects/' \
			"$2/module/heap.c" ;;
	weak-callback-in-trash)	# a weak reference in the garbage is called back
		sed -i 's/objheap_obj_refs(w) \&\& w->state != OBJHEAP_OBJ_UNREACHABLE \&\&/objheap_obj_refs(w) \&\&/' \
			"$2/module/weak.c" ;;
	hold-not-closed)	# what a finalizer reaches is freed under it
		sed -i '/^unsigned long objheap_finalize_hold/,/^}/s/if (child \&\& child->state == OBJHEAP_OBJ_UNREACHABLE) {/if (0) {/' \
			"$2/module/finalize.c" ;;
	finalized-twice)	# an object dying by its count is finalized again
		sed -i '/^bool objheap_finalize_dying/,/^}/s/^\tobj->refs |= OBJHEAP_REFS_FINALIZED;$/\t(void)0;/' \
			"$2/module/finalize.c" ;;
	weak-not-cleared)	# a referent freed by its count keeps its weak references
		sed -i '/^bool objheap_finalize_dying/,/^}/s/^\tif (obj->refs \& OBJHEAP_REFS_WEAKLY)\( {\)\?$/\tif (0)\1/' \
			"$2/module/finalize.c" ;;
	referrers-miss-last-slot)	# GC_REFERRERS does not look at the last slot
		sed -i '/^static bool answers/,/^}/s/for (i = 0; i < obj->nslots; i++)/for (i = 0; i + 1 < obj->nslots; i++)/' \
			"$2/module/introspect.c" ;;
	all-generations-with-frozen)	# OBJHEAP_GEN_ALL lists the frozen objects too
		sed -i 's/^\t\ts.nlists = OBJHEAP_GC_GENERATIONS;$/\t\ts.nlists = OBJHEAP_GC_GENERATIONS + 1;/' \
			"$2/module/introspect.c" ;;
	*) echo "unknown mutant $1" >&2; return 1 ;;
	esac
	! diff -qr "$REPO/module" "$2/module" > /dev/null ||
		{ echo "mutant $1 changed nothing (the sed no longer matches)" >&2; return 1; }
}

