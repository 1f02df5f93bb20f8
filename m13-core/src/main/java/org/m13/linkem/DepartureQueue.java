package org.m13.linkem;

/**
 * A fixed pool of frame slots and a binary min-heap of the occupied ones ordered by
 * (departure time, arrival number), so frames with equal departures leave in
 * arrival order. All arrays are allocated once; nothing is allocated per frame.
 */
public final class DepartureQueue {
    private final long[] departure;
    private final long[] arrival;
    private final int[] length;
    private final int[] heap;
    private final int[] free;
    private int heapSize;
    private int freeCount;
    private long arrivals;

    public DepartureQueue(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1");
        }
        departure = new long[slots];
        arrival = new long[slots];
        length = new int[slots];
        heap = new int[slots];
        free = new int[slots];
        for (int i = 0; i < slots; i++) {
            free[i] = slots - 1 - i;
        }
        freeCount = slots;
    }

    public int capacity() {
        return free.length;
    }

    /** Frames scheduled and not yet taken. */
    public int size() {
        return heapSize;
    }

    /** A free slot, or -1 when every slot is in use. Peek with {@link #freeSlot()} first to receive into it. */
    public int acquire() {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    /** The slot {@link #acquire} would return next, or -1, without taking it. */
    public int freeSlot() {
        return freeCount == 0 ? -1 : free[freeCount - 1];
    }

    /** Schedules an acquired slot holding {@code bytes} to leave at {@code departureNanos}. */
    public void schedule(int slot, long departureNanos, int bytes) {
        departure[slot] = departureNanos;
        arrival[slot] = arrivals++;
        length[slot] = bytes;
        int i = heapSize++;
        heap[i] = slot;
        siftUp(i);
    }

    /** Departure of the earliest frame, or {@link Long#MAX_VALUE} when empty. */
    public long nextDeparture() {
        return heapSize == 0 ? Long.MAX_VALUE : departure[heap[0]];
    }

    /** Removes the earliest frame and returns its slot (release it after sending), or -1 when empty. */
    public int take() {
        if (heapSize == 0) {
            return -1;
        }
        int slot = heap[0];
        heapSize--;
        if (heapSize > 0) {
            heap[0] = heap[heapSize];
            siftDown(0);
        }
        return slot;
    }

    public int length(int slot) {
        return length[slot];
    }

    public long departure(int slot) {
        return departure[slot];
    }

    /** Returns a slot to the pool. */
    public void release(int slot) {
        free[freeCount++] = slot;
    }

    private boolean before(int a, int b) {
        return departure[a] < departure[b] || (departure[a] == departure[b] && arrival[a] < arrival[b]);
    }

    private void siftUp(int i) {
        int slot = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(slot, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = slot;
    }

    private void siftDown(int i) {
        int slot = heap[i];
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < heapSize && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], slot)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = slot;
    }
}
