import { describe, expect, it } from 'vitest'
import { forbiddenAddressReason, isIpLiteral } from './address-policy'

describe('forbiddenAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped form of loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped form of loopback'],
    ['[::ffff:a9fe:a9fe]', 'IPv4-mapped form of link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'NAT64 form of private'],
    ['64:ff9b::7f00:1', 'NAT64 form of loopback'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 form of loopback'],
    ['2001:0:4136:e378::1', 'Teredo'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(forbiddenAddressReason(address)).toContain(reason)
  })

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows public %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined()
  })

  it('refuses what is not an address', () => {
    expect(forbiddenAddressReason('example.com')).toBe('not an IP address')
    expect(forbiddenAddressReason('1.2.3')).toBe('not an IP address')
    expect(forbiddenAddressReason('1:2:3:4:5:6:7:8:9')).toBe('not an IP address')
  })
})

describe('isIpLiteral', () => {
  it('tells literals from host names', () => {
    expect(['1.2.3.4', '[::1]', '::ffff:1.2.3.4', '2001:db8::1'].map(isIpLiteral)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(['example.com', 'localhost', '1.2.3.4.example', '01.2.3.4'].map(isIpLiteral)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })
})
