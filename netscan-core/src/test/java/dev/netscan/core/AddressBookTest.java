package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AddressBookTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AddressBook book = new AddressBook(now::get, 100);

    static Inet6Address v6(String text) {
        return (Inet6Address) InetAddresses.forString(text);
    }

    @Test
    void textIsTheCanonicalFormWhateverFormTheAddressCameIn() throws Exception {
        int k = book.intern((Inet6Address) InetAddress.getByName("2001:0DB8:0000:0000:0001:0000:0000:0001"));
        assertThat(book.text(k)).isEqualTo("2001:db8::1:0:0:1").isEqualTo(InetAddresses.toAddrString(book.ipv6(k)));
    }

    @Test
    void internsToAStableKeyInClassE() {
        int k = book.intern(v6("2001:db8::1"));
        assertThat(AddressBook.isIpv6Key(k)).isTrue();
        assertThat(k >>> 28).isEqualTo(0xF);
        assertThat(book.intern(v6("2001:db8:0::1"))).isEqualTo(k);
        assertThat(book.idOf(v6("2001:db8::1"))).isEqualTo(k);
        assertThat(book.idOf(v6("2001:db8::2"))).isEqualTo(AddressBook.NONE);
        assertThat(book.ipv6(k)).isEqualTo(v6("2001:db8::1"));
        assertThat(book.text(k)).isEqualTo("2001:db8::1");
        assertThat(book.intern(v6("2001:db8::2"))).isNotEqualTo(k);
    }

    @Test
    void ipv4KeysAreTheirOwnAddress() {
        int k = Ipv4.parse("192.0.2.7");
        assertThat(AddressBook.isIpv6Key(k)).isFalse();
        assertThat(book.text(k)).isEqualTo("192.0.2.7");
        assertThat(book.ipv6(k)).isNull();
        assertThat(book.copyText(k, new byte[64], 0)).isEqualTo(-1);
        assertThat(book.keyOf(InetAddresses.forString("192.0.2.7"))).isEqualTo(k);
        assertThat(book.inetAddress(k)).isEqualTo(InetAddresses.forString("192.0.2.7"));
    }

    @Test
    void copiesAsciiText() {
        int k = book.intern(v6("2001:DB8::A"));
        byte[] dst = new byte[80];
        int n = book.copyText(k, dst, 3);
        assertThat(new String(dst, 3, n, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("2001:db8::a");
    }

    @Test
    void anEntryNobodyHoldsIsRetiredAfterTheGracePeriodAndItsSlotReused() {
        int k = book.intern(v6("2001:db8::1"));
        now.addAndGet(99);
        book.intern(v6("2001:db8::2")); // a new intern retires what is due: nothing yet
        assertThat(book.ipv6(k)).isNotNull();
        now.addAndGet(1);
        int k3 = book.intern(v6("2001:db8::3"));
        assertThat(book.idOf(v6("2001:db8::1"))).isEqualTo(AddressBook.NONE);
        assertThat(k3).isEqualTo(k); // the retired slot is reused
        assertThat(book.text(k)).isEqualTo("2001:db8::3");
        assertThat(book.size()).isEqualTo(2);
    }

    @Test
    void aHeldEntryStaysUntilReleasedAndAGracePeriodPasses() {
        int k = book.intern(v6("2001:db8::1"));
        book.acquire(k);
        book.acquire(k);
        now.addAndGet(1_000);
        book.intern(v6("2001:db8::9"));
        assertThat(book.ipv6(k)).isNotNull();
        book.release(k);
        now.addAndGet(1_000);
        book.intern(v6("2001:db8::a"));
        assertThat(book.ipv6(k)).as("still held once").isNotNull();
        book.release(k);
        now.addAndGet(50);
        book.intern(v6("2001:db8::b"));
        assertThat(book.ipv6(k)).as("within the grace period").isNotNull();
        assertThat(book.intern(v6("2001:db8::1"))).as("interned again in grace: same key").isEqualTo(k);
        now.addAndGet(100);
        book.intern(v6("2001:db8::c"));
        assertThat(book.idOf(v6("2001:db8::1"))).isEqualTo(AddressBook.NONE);
    }

    @Test
    void reInterningAnIdleAddressDoesNotBlockRetirementOfOthers() {
        int a = book.intern(v6("2001:db8::a"));
        int b = book.intern(v6("2001:db8::b"));
        for (int i = 0; i < 5; i++) {
            now.addAndGet(60);
            book.intern(v6("2001:db8::a")); // a sweep finding it again and again
        }
        book.intern(v6("2001:db8::c"));
        assertThat(book.idOf(v6("2001:db8::b"))).isEqualTo(AddressBook.NONE);
        assertThat(book.idOf(v6("2001:db8::a"))).isEqualTo(a);
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    void acquiringAnUnknownIpv6KeyIsRefused() {
        assertThatThrownBy(() -> book.acquire(0xF000_1234))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("240.0.18.52").hasMessageContaining("240.0.0.0/4");
    }

    @Test
    void sharedBookIsOneInstance() {
        assertThat(AddressBook.shared()).isSameAs(AddressBook.shared());
        int k = AddressBook.shared().intern(v6("2001:db8:feed::1"));
        assertThat(new Device(k, 0, 0, null, 0, 0, 0, 0, null).address()).isEqualTo("2001:db8:feed::1");
    }
}
