// OpenSSH 9.2 ssh (Debian 12's openssh-client, on this machine): its option letters as its
// usage line lists them, and the ssh_config keywords -o accepts (`ssh -G` prints the set
// it resolves; ssh_config(5) adds the ones it leaves out). Values are checked for the
// kinds ssh itself rejects on the command line: yes/no switches, times, ports, log levels.
import type { GetoptToolSpec, SshOptionType } from '../cli-parse.mjs';

const YESNO = [
  'batchmode', 'canonicalizefallbacklocal', 'checkhostip', 'clearallforwardings', 'compression', 'enablesshkeysign',
  'exitonforwardfailure', 'forwardx11', 'forwardx11trusted', 'gatewayports', 'gssapiauthentication',
  'gssapidelegatecredentials', 'gssapikeyexchange', 'gssapitrustdns', 'gssapirenewalforcesrekey', 'hashknownhosts',
  'hostbasedauthentication', 'identitiesonly', 'kbdinteractiveauthentication', 'nohostauthenticationforlocalhost',
  'passwordauthentication', 'permitlocalcommand', 'proxyusefdpass', 'streamlocalbindunlink', 'tcpkeepalive',
  'visualhostkey', 'forkafterauthentication', 'stdinnull', 'challengeresponseauthentication',
];
const TIME = ['connecttimeout', 'serveraliveinterval', 'forwardx11timeout'];
// Keywords whose values ssh takes as text here (or checks in ways scale-tui never meets).
const TEXT = [
  'host', 'match', 'user', 'hostname', 'addressfamily', 'canonicalizehostname', 'controlmaster', 'fingerprinthash',
  'pubkeyauthentication', 'requesttty', 'sessiontype', 'stricthostkeychecking', 'tunnel', 'verifyhostkeydns',
  'updatehostkeys', 'enableescapecommandline', 'canonicalizemaxdots', 'connectionattempts', 'numberofpasswordprompts',
  'serveralivecountmax', 'requiredrsasize', 'ciphers', 'hostkeyalgorithms', 'hostbasedacceptedalgorithms',
  'kexalgorithms', 'gssapikexalgorithms', 'casignaturealgorithms', 'macs', 'securitykeyprovider',
  'pubkeyacceptedalgorithms', 'xauthlocation', 'identityfile', 'canonicaldomains', 'globalknownhostsfile',
  'userknownhostsfile', 'sendenv', 'setenv', 'logverbose', 'permitremoteopen', 'addkeystoagent', 'forwardagent',
  'tunneldevice', 'canonicalizepermittedcnames', 'controlpersist', 'escapechar', 'ipqos', 'rekeylimit',
  'streamlocalbindmask', 'syslogfacility', 'bindaddress', 'bindinterface', 'certificatefile', 'controlpath',
  'dynamicforward', 'hostkeyalias', 'identityagent', 'ignoreunknown', 'include', 'knownhostscommand', 'localcommand',
  'localforward', 'pkcs11provider', 'preferredauthentications', 'proxycommand', 'proxyjump', 'remotecommand',
  'remoteforward', 'revokedhostkeys',
];

const options: Record<string, SshOptionType> = { port: 'port', loglevel: 'loglevel' };
for (const k of YESNO) options[k] = 'yesno';
for (const k of TIME) options[k] = 'time';
for (const k of TEXT) options[k] = 'text';

export const ssh: GetoptToolSpec = {
  style: 'getopt',
  tool: 'ssh',
  version: 'OpenSSH_9.2p1',
  source: 'ssh usage and ssh -G, run on this machine; ssh_config(5)',
  noArg: '46AaCfGgKkMNnqsTtVvXxYy',
  withArg: 'BbcDEeFIiJLlmOopQRSWw',
  usage: [
    'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface]',
    '           [-b bind_address] [-c cipher_spec] [-D [bind_address:]port]',
    '           [-E log_file] [-e escape_char] [-F configfile] [-I pkcs11]',
    '           [-i identity_file] [-J [user@]host[:port]] [-L address]',
    '           [-l login_name] [-m mac_spec] [-O ctl_cmd] [-o option] [-p port]',
    '           [-Q query_option] [-R address] [-S ctl_path] [-W host:port]',
    '           [-w local_tun[:remote_tun]] destination [command [argument ...]]',
    '',
  ].join('\n'),
  options,
  exit: 255,
};
