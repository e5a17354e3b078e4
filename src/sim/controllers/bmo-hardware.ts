// The hardware details the emulated BMO reports after inspection: a plausible QEMU host.
// CAPM3 copies the NIC IPs and the hostname into the Metal3Machine's addresses.
export function hardwareDetails(name: string, uid: string) {
  const n = Number.parseInt(uid.replace(/[^0-9a-f]/g, '').slice(0, 4) || '0', 16);
  const byte = (v: number) => (v & 255).toString(16).padStart(2, '0');
  return {
    cpu: {
      arch: 'x86_64',
      model: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz',
      clockMegahertz: 2100,
      count: 8,
      flags: [],
    },
    firmware: { bios: { date: '01/01/2011', vendor: 'SeaBIOS', version: '1.15.0' } },
    hostname: name,
    nics: [
      {
        name: 'eth0',
        mac: `00:5c:52:${byte(n >> 8)}:${byte(n)}:01`,
        ip: `192.168.${(n >> 8) & 255}.${n & 255}`,
        speedGbps: 10,
        pxe: true,
      },
    ],
    ramMebibytes: 32768,
    storage: [{ name: '/dev/sda', sizeBytes: 53687091200, type: 'HDD', rotational: true }],
    systemVendor: { manufacturer: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)' },
  };
}
